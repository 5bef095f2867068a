//go:build zapdesk_debug

package engine

import (
	"bufio"
	"context"
	"net"
	"path/filepath"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	pb "zapdesk/engine/internal/protocol"
)

const deviceJID = "5511900001111:12@s.whatsapp.net"

// worker is the test's side of the socket: it reads what the engine sends and answers as a zapdesk worker would.
type worker struct {
	t      *testing.T
	conn   net.Conn
	reader *bufio.Reader
	server *Server
	served chan error
	nextID uint64
	events []*pb.Event // read while waiting for a response
}

func startEngine(t *testing.T, verdictTimeout time.Duration) *worker {
	t.Helper()
	ctx := context.Background()
	store, err := OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zapdesk.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	engineEnd, workerEnd := net.Pipe()
	server := NewServer(Config{VerdictTimeout: verdictTimeout, Offline: true, Version: "test"}, store, engineEnd)
	w := &worker{t: t, conn: workerEnd, reader: bufio.NewReader(workerEnd), server: server, served: make(chan error, 1)}
	go func() { w.served <- server.Serve(ctx) }()
	t.Cleanup(func() { _ = workerEnd.Close(); <-w.served })
	hello := w.read().GetHello()
	if hello.GetProtocolVersion() != uint32(pb.Version_PROTOCOL_VERSION) || !hello.GetDebugCommands() {
		t.Fatalf("unexpected hello %v", hello)
	}
	w.send(&pb.WorkerFrame{Body: &pb.WorkerFrame_Hello{Hello: &pb.Hello{ProtocolVersion: uint32(pb.Version_PROTOCOL_VERSION)}}})
	return w
}

func (w *worker) send(frame *pb.WorkerFrame) {
	w.t.Helper()
	data, err := pb.AppendFrame(nil, frame)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.conn.Write(data); err != nil {
		w.t.Fatal(err)
	}
}

func (w *worker) read() *pb.EngineFrame {
	w.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var frame pb.EngineFrame
	if err := pb.ReadFrame(w.reader, &frame); err != nil {
		w.t.Fatalf("reading from the engine: %v", err)
	}
	return &frame
}

// request sends a command and returns its response (the test sends one command at a time).
func (w *worker) request(session string, request *pb.Request) *pb.Response {
	w.t.Helper()
	w.nextID++
	request.Id, request.Session = w.nextID, session
	w.send(&pb.WorkerFrame{Body: &pb.WorkerFrame_Request{Request: request}})
	for {
		frame := w.read()
		if response := frame.GetResponse(); response != nil {
			if response.GetId() != request.Id {
				w.t.Fatalf("response to %d while waiting for %d", response.GetId(), request.Id)
			}
			return response
		}
		w.events = append(w.events, frame.GetEvent())
	}
}

func (w *worker) event() *pb.Event {
	w.t.Helper()
	if len(w.events) > 0 {
		event := w.events[0]
		w.events = w.events[1:]
		return event
	}
	frame := w.read()
	if frame.GetEvent() == nil {
		w.t.Fatalf("expected an event, got %v", frame)
	}
	return frame.GetEvent()
}

func (w *worker) verdict(event *pb.Event, ok bool) {
	w.send(&pb.WorkerFrame{Body: &pb.WorkerFrame_Verdict{Verdict: &pb.Verdict{EventId: event.GetId(), Ok: ok}}})
}

// runningSession stores a device and resumes it, offline; returns its whatsmeow client.
func (w *worker) runningSession(key string) *Session {
	w.t.Helper()
	if err := w.server.createDevice(context.Background(), deviceJID); err != nil {
		w.t.Fatal(err)
	}
	response := w.request(key, &pb.Request{Command: &pb.Request_Start{Start: &pb.StartSession{DeviceJid: deviceJID}}})
	if response.GetError() != "" {
		w.t.Fatalf("start failed: %s", response.GetError())
	}
	session := w.server.session(key)
	if session == nil {
		w.t.Fatal("no session after start")
	}
	if w.event().GetConnected().GetDeviceJid() != deviceJID {
		w.t.Fatal("an offline session connects at once")
	}
	return session
}

// dispatch hands evt to the client's handlers as whatsmeow does for a decrypted message, in the background.
func dispatch(session *Session, evt any) <-chan bool {
	failed := make(chan bool, 1)
	go func() { failed <- session.client.DangerousInternals().DispatchEvent(evt) }()
	return failed
}

func customerMessage() *events.Message {
	customer := types.NewJID("5511988887777", types.DefaultUserServer)
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{
				Chat: customer, Sender: customer,
				SenderAlt: types.NewJID("123456789012345", types.HiddenUserServer),
			},
			ID: "3A0000000000000001", PushName: "Ana", Type: "text",
			Timestamp: time.UnixMilli(1_700_000_000_123),
		},
		Message: &waE2E.Message{Conversation: proto.String("Olá!")},
	}
}

func TestMessageReachesTheSocketAsWhatsmeowSentItAndWaitsForTheVerdict(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	session := w.runningSession("7")

	failed := dispatch(session, customerMessage())
	event := w.event()

	if event.GetId() == 0 || event.GetSession() != "7" {
		t.Fatalf("a message must ask for a verdict, for its session: %v", event)
	}
	message := event.GetMessage()
	source := message.GetSource()
	if source.GetChat() != "5511988887777@s.whatsapp.net" || source.GetSender() != "5511988887777@s.whatsapp.net" ||
		source.GetSenderAlt() != "123456789012345@lid" || source.GetRecipientAlt() != "" || source.GetIsFromMe() {
		t.Fatalf("source not forwarded as whatsmeow gave it: %v", source)
	}
	if message.GetId() != "3A0000000000000001" || message.GetPushName() != "Ana" || message.GetTimestampMs() != 1_700_000_000_123 {
		t.Fatalf("info not forwarded: %v", message)
	}
	var content waE2E.Message
	if err := proto.Unmarshal(message.GetMessage(), &content); err != nil || content.GetConversation() != "Olá!" {
		t.Fatalf("content not forwarded as whatsmeow's own protobuf: %v %v", &content, err)
	}
	select {
	case <-failed:
		t.Fatal("the handler returned before the worker's verdict")
	default:
	}

	w.verdict(event, true)
	if <-failed {
		t.Fatal("the handler failed although the worker committed the message")
	}
}

func TestWorkerRefusalFailsTheHandlerSoWhatsAppDeliversAgain(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	session := w.runningSession("7")

	failed := dispatch(session, customerMessage())
	w.verdict(w.event(), false)

	if !<-failed {
		t.Fatal("a refused message must fail its handler (no receipt)")
	}
}

func TestSilentWorkerFailsTheHandlerAfterTheTimeout(t *testing.T) {
	w := startEngine(t, 200*time.Millisecond)
	session := w.runningSession("7")

	started := time.Now()
	failed := dispatch(session, customerMessage())
	w.event() // read, never answered

	if !<-failed {
		t.Fatal("a message nobody answered must fail its handler")
	}
	if waited := time.Since(started); waited < 200*time.Millisecond {
		t.Fatalf("the handler gave up after %s, before the %s timeout", waited, 200*time.Millisecond)
	}
}

func TestLateVerdictAfterTheTimeoutIsIgnored(t *testing.T) {
	w := startEngine(t, 100*time.Millisecond)
	session := w.runningSession("7")

	failed := dispatch(session, customerMessage())
	late := w.event()
	if !<-failed {
		t.Fatal("the handler must fail after the timeout")
	}
	w.verdict(late, true) // nobody waits for it any more: must not block or panic

	again := dispatch(session, customerMessage())
	w.verdict(w.event(), true)
	if <-again {
		t.Fatal("the next delivery must succeed on its own verdict")
	}
}

func TestWorkerGoneFailsEveryWaitingHandler(t *testing.T) {
	w := startEngine(t, time.Minute)
	session := w.runningSession("7")

	failed := dispatch(session, customerMessage())
	w.event()
	_ = w.conn.Close()

	if !<-failed {
		t.Fatal("a message whose worker vanished must fail its handler")
	}
}

func TestStoppedSessionFailsItsWaitingHandler(t *testing.T) {
	w := startEngine(t, time.Minute)
	session := w.runningSession("7")

	failed := dispatch(session, customerMessage())
	w.event()
	w.send(&pb.WorkerFrame{Body: &pb.WorkerFrame_Request{Request: &pb.Request{
		Id: 99, Session: "7", Command: &pb.Request_Stop{Stop: &pb.StopSession{}},
	}}})

	if !<-failed {
		t.Fatal("a message of a stopped session must fail its handler")
	}
	if response := w.read().GetResponse(); response.GetId() != 99 || response.GetError() != "" {
		t.Fatalf("stop must succeed: %v", response)
	}
}

func TestReceiptReachesTheSocketAndWaitsForTheVerdict(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	session := w.runningSession("7")
	customer := types.NewJID("5511988887777", types.DefaultUserServer)

	failed := dispatch(session, &events.Receipt{
		MessageSource: types.MessageSource{Chat: customer, Sender: customer},
		MessageIDs:    []types.MessageID{"3EB0AA", "3EB0BB"},
		Timestamp:     time.Unix(1_700_000_050, 0),
		Type:          types.ReceiptTypeRead,
	})
	event := w.event()
	receipt := event.GetReceipt()

	if event.GetId() == 0 || receipt.GetType() != "read" || receipt.GetTimestamp() != 1_700_000_050 ||
		len(receipt.GetMessageIds()) != 2 || receipt.GetMessageIds()[1] != "3EB0BB" ||
		receipt.GetSource().GetChat() != "5511988887777@s.whatsapp.net" {
		t.Fatalf("receipt not forwarded as whatsmeow gave it: %v", event)
	}
	w.verdict(event, true)
	if <-failed {
		t.Fatal("a committed receipt must succeed")
	}
}

func TestConnectedNamesTheDeviceToResumeWith(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	session := w.runningSession("7") // offline: whatsmeow's Connected came already; once more

	if <-dispatch(session, &events.Connected{}) {
		t.Fatal("lifecycle events never fail")
	}
	event := w.event()

	if event.GetId() != 0 || event.GetConnected().GetDeviceJid() != deviceJID {
		t.Fatalf("expected CONNECTED with the device, asking no verdict: %v", event)
	}
}

func TestStatesThatNeedAPersonEndTheSession(t *testing.T) {
	cases := []struct {
		name  string
		evt   any
		check func(*pb.Event) bool
	}{
		{"replaced", &events.StreamReplaced{}, func(e *pb.Event) bool { return e.GetEnded().GetCause() == pb.EndedEvent_REPLACED }},
		{"outdated", &events.ClientOutdated{}, func(e *pb.Event) bool { return e.GetEnded().GetCause() == pb.EndedEvent_OUTDATED }},
		{"banned", &events.TemporaryBan{Code: events.TempBanBlockedByUsers, Expire: time.Hour}, func(e *pb.Event) bool {
			return e.GetEnded().GetCause() == pb.EndedEvent_BANNED && e.GetEnded().GetBannedUntil() > time.Now().Unix()
		}},
		{"logged out", &events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureMainDeviceGone}, func(e *pb.Event) bool {
			return e.GetLoggedOut().GetOnConnect() && e.GetLoggedOut().GetReason() == "main_device_gone"
		}},
		{"refused", &events.ConnectFailure{Reason: events.ConnectFailureBadUserAgent}, func(e *pb.Event) bool {
			return e.GetEnded().GetCause() == pb.EndedEvent_FAILED
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := startEngine(t, 10*time.Second)
			session := w.runningSession("7")

			<-dispatch(session, c.evt)
			event := w.event()

			if !c.check(event) {
				t.Fatalf("unexpected event %v", event)
			}
			if w.server.session("7") != nil {
				t.Fatal("the session must be gone")
			}
		})
	}
}

func TestServerErrorsOnlyReportReconnecting(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	session := w.runningSession("7")

	<-dispatch(session, &events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable})

	if w.event().GetDisconnected() == nil {
		t.Fatal("a 503 is a transient drop: whatsmeow reconnects by itself")
	}
	if w.server.session("7") == nil {
		t.Fatal("the session must keep running")
	}
}

func TestResumingADeviceNotInTheStoreAsksForANewScan(t *testing.T) {
	w := startEngine(t, 10*time.Second)

	response := w.request("7", &pb.Request{Command: &pb.Request_Start{Start: &pb.StartSession{DeviceJid: deviceJID}}})
	ended := w.event()

	if ended.GetEnded().GetCause() != pb.EndedEvent_UNKNOWN_DEVICE || response.GetError() != "" {
		t.Fatalf("expected UNKNOWN_DEVICE and no error, got %v / %v", ended, response)
	}
}

func TestInjectedEventsTakeTheRealHandlerPath(t *testing.T) {
	w := startEngine(t, 10*time.Second)
	w.runningSession("7")
	forwarded, err := messageEvent(customerMessage())
	if err != nil {
		t.Fatal(err)
	}

	w.nextID++
	w.send(&pb.WorkerFrame{Body: &pb.WorkerFrame_Request{Request: &pb.Request{
		Id: w.nextID, Session: "7", Command: &pb.Request_DebugInject{DebugInject: &pb.DebugInject{Event: forwarded}},
	}}})
	event := w.event()
	w.verdict(event, false)
	response := w.read().GetResponse()

	if !proto.Equal(event.GetMessage(), forwarded.GetMessage()) {
		t.Fatalf("injecting and forwarding must be inverses:\n%v\n%v", event.GetMessage(), forwarded.GetMessage())
	}
	if !response.GetHandlerFailed() {
		t.Fatal("the injector must learn that the handler failed")
	}
}

func TestWorkerOfAnotherProtocolVersionIsRefused(t *testing.T) {
	ctx := context.Background()
	store, err := OpenStore(ctx, "sqlite:"+filepath.Join(t.TempDir(), "zapdesk.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	engineEnd, workerEnd := net.Pipe()
	defer workerEnd.Close()
	served := make(chan error, 1)
	go func() { served <- NewServer(Config{}, store, engineEnd).Serve(ctx) }()
	reader := bufio.NewReader(workerEnd)
	var hello pb.EngineFrame
	if err := pb.ReadFrame(reader, &hello); err != nil {
		t.Fatal(err)
	}
	data, _ := pb.AppendFrame(nil, &pb.WorkerFrame{Body: &pb.WorkerFrame_Hello{Hello: &pb.Hello{ProtocolVersion: 99}}})
	_, _ = workerEnd.Write(data)

	if err := <-served; err == nil {
		t.Fatal("a worker of another protocol version must be refused")
	}
}
