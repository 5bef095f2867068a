package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	pb "zapdesk/engine/internal/protocol"
)

// Session is one WhatsApp account's live whatsmeow client.
type Session struct {
	key    string
	server *Server
	client *whatsmeow.Client
	// Closed when the session stops: handlers waiting for a verdict give up (failure: WhatsApp redelivers).
	done     chan struct{}
	stopOnce sync.Once
	// Signalled by the Connected handler (connectAndWait).
	connected chan struct{}
	connOnce  sync.Once
}

func (s *Server) device(ctx context.Context, deviceJID string) (*store.Device, error) {
	jid, err := types.ParseJID(deviceJID)
	if err != nil {
		return nil, fmt.Errorf("bad device %q: %w", deviceJID, err)
	}
	device, err := s.store.GetDevice(ctx, jid)
	if err != nil {
		return nil, errRetryable{fmt.Errorf("reading the session store: %w", err)}
	}
	return device, nil
}

func (s *Server) newSession(key string, device *store.Device) *Session {
	client := whatsmeow.NewClient(device, s.cfg.Log.Sub(key))
	// The receipt goes only after every handler returned, and a failed one withholds it; the buffer keeps
	// decrypted plaintext so the redelivered copy is not lost to the ratchet having moved on.
	client.SynchronousAck = true
	client.EnableDecryptedEventBuffer = true
	client.EnableAutoReconnect = true
	session := &Session{key: key, server: s, client: client, done: make(chan struct{}), connected: make(chan struct{})}
	client.AddEventHandlerWithSuccessStatus(session.handle)
	return session
}

// startSession resumes a stored device, or opens one QR window (and asks for a pairing code when a phone is
// given). It returns once connecting has begun; what follows arrives as events.
func (s *Server) startSession(ctx context.Context, key string, command *pb.StartSession) error {
	if old := s.replaceSession(key, nil); old != nil {
		old.stop()
	}
	var device *store.Device
	if command.GetDeviceJid() != "" {
		found, err := s.device(ctx, command.GetDeviceJid())
		if err != nil {
			return err
		}
		if found == nil {
			s.notify(ended(key, pb.EndedEvent_UNKNOWN_DEVICE, "this device is no longer in the session store", false))
			return nil
		}
		device = found
	} else {
		device = s.store.NewDevice()
	}
	session := s.newSession(key, device)
	s.replaceSession(key, session)
	if device.ID == nil {
		return session.pair(command.GetPairingPhone())
	}
	if err := s.connect(session.client); err != nil {
		s.removeSession(session)
		session.stop()
		s.notify(ended(key, pb.EndedEvent_FAILED, fmt.Sprintf("could not connect: %v", err), true))
	}
	return nil
}

// connect dials WhatsApp. Offline (debug builds: tests and benchmarks) a stored device connects at once without
// dialing: whatsmeow's handlers report Connected as after a real login.
func (s *Server) connect(client *whatsmeow.Client) error {
	if !s.cfg.Offline {
		return client.Connect()
	}
	if client.Store.ID != nil {
		go client.DangerousInternals().DispatchEvent(&events.Connected{})
	}
	return nil
}

// pair opens one QR window: codes until whatsmeow's own timeout (about 160 s), then QR_EXPIRED.
func (session *Session) pair(pairingPhone string) error {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-session.done
		cancel()
	}()
	codes, err := session.client.GetQRChannel(ctx)
	if err != nil {
		return err
	}
	if err := session.server.connect(session.client); err != nil {
		session.server.removeSession(session)
		session.stop()
		session.server.notify(ended(session.key, pb.EndedEvent_FAILED, fmt.Sprintf("could not connect: %v", err), true))
		return nil
	}
	go session.relayQRCodes(ctx, codes, pairingPhone)
	return nil
}

func (session *Session) relayQRCodes(ctx context.Context, codes <-chan whatsmeow.QRChannelItem, pairingPhone string) {
	first := true
	for item := range codes {
		switch item.Event {
		case whatsmeow.QRChannelEventCode:
			session.notify(&pb.Event{Kind: &pb.Event_Qr{Qr: &pb.QrEvent{Code: item.Code, TimeoutMs: item.Timeout.Milliseconds()}}})
			if first && pairingPhone != "" {
				session.requestPairingCode(ctx, pairingPhone)
			}
			first = false
		case "success":
			// Connected follows.
		case "timeout":
			session.end(pb.EndedEvent_QR_EXPIRED, "no QR code was scanned in time", false)
		default:
			reason := item.Event
			if item.Error != nil {
				reason = fmt.Sprintf("%s: %v", item.Event, item.Error)
			}
			session.end(pb.EndedEvent_FAILED, "pairing failed: "+reason, false)
		}
	}
}

func (session *Session) requestPairingCode(ctx context.Context, phone string) {
	code, err := session.client.PairPhone(ctx, phone, true, whatsmeow.PairClientChrome, "Chrome (Linux)")
	if err != nil {
		session.end(pb.EndedEvent_FAILED, fmt.Sprintf("no pairing code for %s: %v", phone, err), false)
		return
	}
	session.notify(&pb.Event{Kind: &pb.Event_PairingCode{PairingCode: &pb.PairingCodeEvent{Code: code}}})
}

// connectAndWait connects a stored device and waits for WhatsApp to accept it (a logout of a stopped session).
func (session *Session) connectAndWait(ctx context.Context) error {
	if err := session.server.connect(session.client); err != nil {
		return err
	}
	select {
	case <-session.connected:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(30 * time.Second):
		return errors.New("WhatsApp did not accept the session within 30 s")
	}
}

func (session *Session) logout(ctx context.Context) error {
	if err := session.client.Logout(ctx); err != nil {
		return errRetryable{fmt.Errorf("WhatsApp did not accept the logout: %w", err)}
	}
	return nil
}

// stop disconnects (keys kept) and makes handlers still waiting for a verdict fail.
func (session *Session) stop() {
	session.stopOnce.Do(func() {
		close(session.done)
		session.client.RemoveEventHandlers()
		session.client.Disconnect()
	})
}

// end reports a state that does not come back by itself, and stops the session.
func (session *Session) end(cause pb.EndedEvent_Cause, reason string, retryable bool) {
	session.server.notify(ended(session.key, cause, reason, retryable))
	session.server.removeSession(session)
	// Not from inside whatsmeow's own handler: Disconnect waits for it.
	go session.stop()
}

func (session *Session) notify(event *pb.Event) {
	event.Session = session.key
	session.server.notify(event)
}

func ended(key string, cause pb.EndedEvent_Cause, reason string, retryable bool) *pb.Event {
	return &pb.Event{Session: key, Kind: &pb.Event_Ended{Ended: &pb.EndedEvent{Cause: cause, Reason: reason, Retryable: retryable}}}
}

// handle is the session's whatsmeow handler. Its result is whatsmeow's "handler succeeded": for messages and
// receipts, whether WhatsApp gets its receipt now or delivers the event again later.
func (session *Session) handle(evt any) bool {
	select {
	case <-session.done:
		return false // stopped: nothing can be stored any more
	default:
	}
	switch evt := evt.(type) {
	case *events.Message:
		event, err := messageEvent(evt)
		if err != nil {
			session.server.cfg.Log.Errorf("session %s: message %s cannot be encoded: %v", session.key, evt.Info.ID, err)
			return false
		}
		event.Session = session.key
		return session.server.askVerdict(event, session.done)
	case *events.Receipt:
		event := receiptEvent(evt)
		event.Session = session.key
		return session.server.askVerdict(event, session.done)
	case *events.Connected:
		session.connOnce.Do(func() { close(session.connected) })
		session.notify(connectedEvent(session.client.Store))
	case *events.Disconnected:
		session.notify(&pb.Event{Kind: &pb.Event_Disconnected{Disconnected: &pb.DisconnectedEvent{}}})
	case *events.KeepAliveTimeout:
		session.notify(&pb.Event{Kind: &pb.Event_KeepAlive{KeepAlive: &pb.KeepAliveEvent{ErrorCount: int32(evt.ErrorCount)}}})
	case *events.KeepAliveRestored:
		session.notify(&pb.Event{Kind: &pb.Event_KeepAlive{KeepAlive: &pb.KeepAliveEvent{Restored: true}}})
	case *events.LoggedOut:
		session.notify(&pb.Event{Kind: &pb.Event_LoggedOut{LoggedOut: &pb.LoggedOutEvent{OnConnect: evt.OnConnect, Reason: failureReason(evt.Reason)}}})
		session.server.removeSession(session)
		go session.stop()
	case *events.StreamReplaced:
		session.end(pb.EndedEvent_REPLACED, "the same session was opened elsewhere", false)
	case *events.TemporaryBan:
		event := ended(session.key, pb.EndedEvent_BANNED, fmt.Sprintf("temporarily banned (%s)", evt.Code), false)
		event.GetEnded().BannedUntil = time.Now().Add(evt.Expire).Unix()
		session.server.notify(event)
		session.server.removeSession(session)
		go session.stop()
	case *events.ClientOutdated:
		session.end(pb.EndedEvent_OUTDATED, "WhatsApp refuses this client version", false)
	case *events.ConnectFailure:
		session.onConnectFailure(evt)
	case *events.PairError:
		session.end(pb.EndedEvent_FAILED, fmt.Sprintf("pairing failed: %v", evt.Error), false)
	case *events.OfflineSyncPreview:
		session.notify(&pb.Event{Kind: &pb.Event_OfflineSync{OfflineSync: &pb.OfflineSyncEvent{Count: int32(evt.Messages)}}})
	case *events.OfflineSyncCompleted:
		session.notify(&pb.Event{Kind: &pb.Event_OfflineSync{OfflineSync: &pb.OfflineSyncEvent{Completed: true, Count: int32(evt.Count)}}})
	case *events.HistorySync:
		// Old conversations are not tickets: zapdesk starts from the messages that arrive once linked.
		session.server.cfg.Log.Infof("session %s: history sync with %d conversations not imported", session.key, len(evt.Data.GetConversations()))
	}
	return true
}

func (session *Session) onConnectFailure(evt *events.ConnectFailure) {
	reason := failureReason(evt.Reason)
	if evt.Message != "" {
		reason = fmt.Sprintf("%s: %s", reason, evt.Message)
	}
	if evt.Reason == events.ConnectFailureServiceUnavailable || evt.Reason == events.ConnectFailureInternalServerError {
		// whatsmeow reconnects by itself after these.
		session.notify(&pb.Event{Kind: &pb.Event_Disconnected{Disconnected: &pb.DisconnectedEvent{}}})
		return
	}
	session.end(pb.EndedEvent_FAILED, "WhatsApp refused the connection ("+reason+")", false)
}
