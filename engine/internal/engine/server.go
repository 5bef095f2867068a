// Package engine is zapdesk's WhatsApp engine: whatsmeow sessions driven by one zapdesk worker over one socket.
//
// The server reads the worker's requests and verdicts and writes events and responses. An event that changes
// zapdesk's data (a message, a receipt) is handed over with an id, and the whatsmeow handler that produced it
// waits for the worker's verdict: success only once the worker committed it, so WhatsApp gets its receipt only
// then; a failure, the timeout or a lost worker make the handler fail, and WhatsApp delivers the event again.
package engine

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.mau.fi/whatsmeow/store/sqlstore"
	waLog "go.mau.fi/whatsmeow/util/log"

	pb "zapdesk/engine/internal/protocol"
)

// Config is what the program's flags set.
type Config struct {
	// How long a whatsmeow handler waits for the worker's verdict before it reports failure.
	VerdictTimeout time.Duration
	// Sessions are created but never dial WhatsApp (tests and the 1,000-session benchmark); debug builds only.
	Offline bool
	// A Unix socket path where tests send debug commands to a program a worker runs; debug builds only.
	DebugListen string
	Version     string
	Log         waLog.Logger
}

// Server serves one worker connection; it ends when the worker goes away.
type Server struct {
	cfg   Config
	store *sqlstore.Container
	conn  io.ReadWriteCloser

	out    chan []byte
	closed chan struct{}
	once   sync.Once

	mu       sync.Mutex
	sessions map[string]*Session
	pending  map[uint64]chan *pb.Verdict
	nextID   atomic.Uint64
}

// ErrProtocol is a peer speaking something else.
var ErrProtocol = errors.New("protocol mismatch")

func NewServer(cfg Config, store *sqlstore.Container, conn io.ReadWriteCloser) *Server {
	if cfg.Log == nil {
		cfg.Log = waLog.Noop
	}
	if cfg.VerdictTimeout <= 0 {
		cfg.VerdictTimeout = 60 * time.Second
	}
	return &Server{
		cfg:      cfg,
		store:    store,
		conn:     conn,
		out:      make(chan []byte, 1024),
		closed:   make(chan struct{}),
		sessions: map[string]*Session{},
		pending:  map[uint64]chan *pb.Verdict{},
	}
}

// Serve runs until the worker closes the socket (nil) or the connection fails; every session is then stopped,
// and every handler still waiting reports failure (no receipt: WhatsApp delivers those events again).
func (s *Server) Serve(ctx context.Context) error {
	defer s.shutdown()
	go s.writeLoop()
	if err := s.listenForDebugCommands(ctx); err != nil {
		return err
	}
	reader := bufio.NewReaderSize(s.conn, 64<<10)
	s.write(&pb.EngineFrame{Body: &pb.EngineFrame_Hello{Hello: &pb.Hello{
		ProtocolVersion: uint32(pb.Version_PROTOCOL_VERSION),
		EngineVersion:   s.cfg.Version,
		DebugCommands:   debugCommandsBuilt,
	}}})
	var hello pb.WorkerFrame
	if err := pb.ReadFrame(reader, &hello); err != nil {
		return fmt.Errorf("no hello from the worker: %w", err)
	}
	if version := hello.GetHello().GetProtocolVersion(); version != uint32(pb.Version_PROTOCOL_VERSION) {
		return fmt.Errorf("%w: the worker speaks version %d, this engine %d", ErrProtocol, version, pb.Version_PROTOCOL_VERSION)
	}
	for {
		var frame pb.WorkerFrame
		err := pb.ReadFrame(reader, &frame)
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
			return nil
		} else if err != nil {
			return err
		}
		switch body := frame.Body.(type) {
		case *pb.WorkerFrame_Verdict:
			s.deliverVerdict(body.Verdict)
		case *pb.WorkerFrame_Request:
			go s.answer(ctx, body.Request)
		default:
			s.cfg.Log.Warnf("ignoring an unexpected frame from the worker: %T", frame.Body)
		}
	}
}

func (s *Server) shutdown() {
	s.once.Do(func() { close(s.closed) })
	s.mu.Lock()
	sessions := make([]*Session, 0, len(s.sessions))
	for _, session := range s.sessions {
		sessions = append(sessions, session)
	}
	s.sessions = map[string]*Session{}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, session := range sessions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			session.stop()
		}()
	}
	wg.Wait()
	_ = s.conn.Close()
}

// writeLoop writes frames in the order they were queued, as many per system call as are waiting.
func (s *Server) writeLoop() {
	var buf []byte
	for {
		select {
		case frame := <-s.out:
			buf = append(buf[:0], frame...)
		drain:
			for len(buf) < 1<<20 {
				select {
				case more := <-s.out:
					buf = append(buf, more...)
				default:
					break drain
				}
			}
			if _, err := s.conn.Write(buf); err != nil {
				s.cfg.Log.Warnf("writing to the worker failed: %v", err)
				s.once.Do(func() { close(s.closed) })
				_ = s.conn.Close()
				return
			}
		case <-s.closed:
			return
		}
	}
}

// write queues a frame; false once the worker is gone.
func (s *Server) write(frame *pb.EngineFrame) bool {
	data, err := pb.AppendFrame(nil, frame)
	if err != nil {
		s.cfg.Log.Errorf("could not encode a %T frame: %v", frame.Body, err)
		return false
	}
	select {
	case s.out <- data:
		return true
	case <-s.closed:
		return false
	}
}

// notify sends an event nobody waits on (states, QR codes).
func (s *Server) notify(event *pb.Event) {
	s.write(&pb.EngineFrame{Body: &pb.EngineFrame_Event{Event: event}})
}

// askVerdict sends an event and waits for the worker's verdict: true only for an ok in time. `done` ends the
// wait early (the session stopped).
func (s *Server) askVerdict(event *pb.Event, done <-chan struct{}) bool {
	id := s.nextID.Add(1)
	event.Id = id
	answer := make(chan *pb.Verdict, 1)
	s.mu.Lock()
	s.pending[id] = answer
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
	}()
	if !s.write(&pb.EngineFrame{Body: &pb.EngineFrame_Event{Event: event}}) {
		return false
	}
	timer := time.NewTimer(s.cfg.VerdictTimeout)
	defer timer.Stop()
	select {
	case verdict := <-answer:
		if !verdict.GetOk() {
			s.cfg.Log.Warnf("session %s: the worker refused event %d: %s", event.GetSession(), id, verdict.GetError())
		}
		return verdict.GetOk()
	case <-timer.C:
		s.cfg.Log.Warnf("session %s: no verdict for event %d within %s", event.GetSession(), id, s.cfg.VerdictTimeout)
		return false
	case <-s.closed:
		return false
	case <-done:
		return false
	}
}

func (s *Server) deliverVerdict(verdict *pb.Verdict) {
	s.mu.Lock()
	answer, ok := s.pending[verdict.GetEventId()]
	s.mu.Unlock()
	if ok {
		answer <- verdict // buffered, and each id gets one verdict
	}
}

func (s *Server) respond(response *pb.Response) {
	s.write(&pb.EngineFrame{Body: &pb.EngineFrame_Response{Response: response}})
}

func (s *Server) session(key string) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions[key]
}

// replaceSession installs a new session under key and returns the one it replaces, if any.
func (s *Server) replaceSession(key string, session *Session) *Session {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.sessions[key]
	if session == nil {
		delete(s.sessions, key)
	} else {
		s.sessions[key] = session
	}
	return old
}

// removeSession forgets session if it is still the one under its key.
func (s *Server) removeSession(session *Session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[session.key] == session {
		delete(s.sessions, session.key)
	}
}

// SessionCount is how many sessions this server holds (benchmarks).
func (s *Server) SessionCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}
