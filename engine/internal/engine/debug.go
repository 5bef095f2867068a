//go:build zapdesk_debug

package engine

// Test-only commands, compiled in only with `-tags zapdesk_debug` (the binary `make test` builds beside the real
// one): the production program cannot be made to invent WhatsApp events or sessions.

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"time"

	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	pb "zapdesk/engine/internal/protocol"
)

const debugCommandsBuilt = true

// RegisterDebugFlags adds the flags only a debug build has.
func RegisterDebugFlags(flags *flag.FlagSet, cfg *Config) {
	flags.BoolVar(&cfg.Offline, "offline", false, "create sessions without dialing WhatsApp (tests, benchmarks)")
	flags.StringVar(&cfg.DebugListen, "debug-listen", "", "a Unix socket path taking debug commands (tests)")
}

// listenForDebugCommands serves debug requests from tests on cfg.DebugListen, beside the worker's socket: the
// way a test reaches the program a worker process started.
func (s *Server) listenForDebugCommands(ctx context.Context) error {
	if s.cfg.DebugListen == "" {
		return nil
	}
	_ = os.Remove(s.cfg.DebugListen)
	listener, err := net.Listen("unix", s.cfg.DebugListen)
	if err != nil {
		return fmt.Errorf("debug socket: %w", err)
	}
	go func() {
		<-s.closed
		_ = listener.Close()
	}()
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			go s.serveDebugClient(ctx, conn)
		}
	}()
	return nil
}

// serveDebugClient answers one test's requests in order, each with its Response.
func (s *Server) serveDebugClient(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	reader := bufio.NewReader(conn)
	for {
		var frame pb.WorkerFrame
		if err := pb.ReadFrame(reader, &frame); err != nil {
			return
		}
		request := frame.GetRequest()
		if request == nil {
			continue
		}
		response := &pb.Response{Id: request.GetId()}
		if err := s.carryOut(ctx, request, response); err != nil {
			response.Result, response.Error = nil, err.Error()
		}
		data, err := pb.AppendFrame(nil, &pb.EngineFrame{Body: &pb.EngineFrame_Response{Response: response}})
		if err != nil {
			return
		}
		if _, err := conn.Write(data); err != nil {
			return
		}
	}
}

func (s *Server) debugCommand(ctx context.Context, key string, request *pb.Request, response *pb.Response) error {
	switch command := request.Command.(type) {
	case *pb.Request_DebugCreateDevice:
		return s.createDevice(ctx, command.DebugCreateDevice.GetDeviceJid())
	case *pb.Request_DebugPutLid:
		lid, err := types.ParseJID(command.DebugPutLid.GetLidJid())
		if err != nil {
			return err
		}
		phone, err := types.ParseJID(command.DebugPutLid.GetPhoneJid())
		if err != nil {
			return err
		}
		return s.store.LIDMap.PutLIDMapping(ctx, lid, phone)
	case *pb.Request_DebugFlood:
		session := s.session(key)
		if session == nil {
			return errNotRunning
		}
		failed, err := flood(session, command.DebugFlood)
		if err != nil {
			return err
		}
		response.Result = &pb.Response_Failed{Failed: failed}
		return nil
	case *pb.Request_DebugInject:
		session := s.session(key)
		if session == nil {
			return errNotRunning
		}
		evt, err := whatsmeowEvent(command.DebugInject.GetEvent())
		if err != nil {
			return err
		}
		failed := session.client.DangerousInternals().DispatchEvent(evt)
		response.Result = &pb.Response_HandlerFailed{HandlerFailed: failed}
		return nil
	}
	return fmt.Errorf("unknown debug command %T", request.Command)
}

// createDevice stores a device as a finished pairing would, with fresh keys (it can never reach WhatsApp).
func (s *Server) createDevice(ctx context.Context, deviceJID string) error {
	jid, err := types.ParseJID(deviceJID)
	if err != nil {
		return fmt.Errorf("bad device %q: %w", deviceJID, err)
	}
	device := s.store.NewDevice()
	device.ID = &jid
	device.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{}, AccountSignatureKey: make([]byte, 32), AccountSignature: make([]byte, 64), DeviceSignature: make([]byte, 64)}
	device.PushName = "zapdesk test"
	return s.store.PutDevice(ctx, device)
}

// whatsmeowEvent turns a protocol event back into the whatsmeow event it stands for.
func whatsmeowEvent(event *pb.Event) (any, error) {
	switch kind := event.Kind.(type) {
	case *pb.Event_Message:
		source, err := whatsmeowSource(kind.Message.GetSource())
		if err != nil {
			return nil, err
		}
		var content waE2E.Message
		if err := proto.Unmarshal(kind.Message.GetMessage(), &content); err != nil {
			return nil, fmt.Errorf("not a WhatsApp message: %w", err)
		}
		info := types.MessageInfo{
			MessageSource: source,
			ID:            kind.Message.GetId(),
			Type:          kind.Message.GetType(),
			PushName:      kind.Message.GetPushName(),
			Timestamp:     time.UnixMilli(kind.Message.GetTimestampMs()),
			Edit:          types.EditAttribute(kind.Message.GetEdit()),
		}
		return &events.Message{Info: info, Message: &content, RawMessage: &content, IsEdit: kind.Message.GetIsEdit()}, nil
	case *pb.Event_Receipt:
		source, err := whatsmeowSource(kind.Receipt.GetSource())
		if err != nil {
			return nil, err
		}
		return &events.Receipt{
			MessageSource: source,
			MessageIDs:    kind.Receipt.GetMessageIds(),
			Timestamp:     time.Unix(kind.Receipt.GetTimestamp(), 0),
			Type:          types.ReceiptType(kind.Receipt.GetType()),
		}, nil
	case *pb.Event_Connected:
		return &events.Connected{}, nil
	case *pb.Event_Disconnected:
		return &events.Disconnected{}, nil
	case *pb.Event_KeepAlive:
		if kind.KeepAlive.GetRestored() {
			return &events.KeepAliveRestored{}, nil
		}
		return &events.KeepAliveTimeout{ErrorCount: int(kind.KeepAlive.GetErrorCount())}, nil
	case *pb.Event_LoggedOut:
		return &events.LoggedOut{OnConnect: kind.LoggedOut.GetOnConnect(), Reason: events.ConnectFailureLoggedOut}, nil
	case *pb.Event_OfflineSync:
		if kind.OfflineSync.GetCompleted() {
			return &events.OfflineSyncCompleted{Count: int(kind.OfflineSync.GetCount())}, nil
		}
		return &events.OfflineSyncPreview{Messages: int(kind.OfflineSync.GetCount())}, nil
	case *pb.Event_Ended:
		switch kind.Ended.GetCause() {
		case pb.EndedEvent_REPLACED:
			return &events.StreamReplaced{}, nil
		case pb.EndedEvent_BANNED:
			return &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Until(time.Unix(kind.Ended.GetBannedUntil(), 0))}, nil
		case pb.EndedEvent_OUTDATED:
			return &events.ClientOutdated{}, nil
		}
	}
	return nil, fmt.Errorf("cannot inject a %T", event.Kind)
}

func flood(session *Session, command *pb.DebugFlood) (uint32, error) {
	evt, err := whatsmeowEvent(command.GetEvent())
	if err != nil {
		return 0, err
	}
	template, ok := evt.(*events.Message)
	if !ok {
		return 0, fmt.Errorf("only messages can be flooded, not %T", evt)
	}
	var failed uint32
	for n := range command.GetCount() {
		message := *template
		message.Info.ID = fmt.Sprintf("%s%d", command.GetFirstId(), n)
		if session.client.DangerousInternals().DispatchEvent(&message) {
			failed++
		}
	}
	return failed, nil
}
