package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	pb "zapdesk/engine/internal/protocol"
)

// commandTimeout bounds one command against WhatsApp (an upload of a large file included).
const commandTimeout = 5 * time.Minute

// errRetryable marks failures that may go away (not connected, network trouble).
type errRetryable struct{ error }

func (e errRetryable) Unwrap() error { return e.error }

var errNotRunning = errRetryable{errors.New("the session is not running")}

// answer carries out one request and responds with its outcome.
func (s *Server) answer(ctx context.Context, request *pb.Request) {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	response := &pb.Response{Id: request.GetId()}
	if err := s.carryOut(ctx, request, response); err != nil {
		response.Result = nil
		response.Error = err.Error()
		var retryable errRetryable
		response.Retryable = errors.As(err, &retryable)
	}
	s.respond(response)
}

func (s *Server) carryOut(ctx context.Context, request *pb.Request, response *pb.Response) error {
	key := request.GetSession()
	switch command := request.Command.(type) {
	case *pb.Request_Start:
		return s.startSession(ctx, key, command.Start)
	case *pb.Request_Stop:
		if old := s.replaceSession(key, nil); old != nil {
			old.stop()
		}
		return nil
	case *pb.Request_Logout:
		return s.logout(ctx, key, command.Logout.GetDeviceJid())
	case *pb.Request_ForgetDevice:
		return s.forgetDevice(ctx, command.ForgetDevice.GetDeviceJid())
	case *pb.Request_DebugCreateDevice, *pb.Request_DebugInject, *pb.Request_DebugPutLid, *pb.Request_DebugFlood:
		return s.debugCommand(ctx, key, request, response)
	}
	client, err := s.connectedClient(key)
	if err != nil {
		return err
	}
	switch command := request.Command.(type) {
	case *pb.Request_Send:
		return send(ctx, client, command.Send, response)
	case *pb.Request_Upload:
		return upload(ctx, client, command.Upload, response)
	case *pb.Request_Download:
		var message waE2E.Message
		if err := proto.Unmarshal(command.Download.GetMessage(), &message); err != nil {
			return fmt.Errorf("not a WhatsApp message: %w", err)
		}
		data, err := client.DownloadAny(ctx, &message)
		if err != nil {
			return errRetryable{fmt.Errorf("download failed: %w", err)}
		}
		response.Result = &pb.Response_Downloaded{Downloaded: data}
		return nil
	case *pb.Request_MarkRead:
		return markRead(ctx, client, command.MarkRead)
	case *pb.Request_Typing:
		return setTyping(ctx, client, command.Typing)
	case *pb.Request_PhoneOfLid:
		return phoneOfLid(ctx, client, command.PhoneOfLid, response)
	}
	return fmt.Errorf("unknown command %T", request.Command)
}

func (s *Server) connectedClient(key string) (*whatsmeow.Client, error) {
	session := s.session(key)
	if session == nil {
		return nil, errNotRunning
	}
	return session.client, nil
}

func send(ctx context.Context, client *whatsmeow.Client, command *pb.SendMessage, response *pb.Response) error {
	to, err := types.ParseJID(command.GetChatJid())
	if err != nil {
		return fmt.Errorf("bad chat %q: %w", command.GetChatJid(), err)
	}
	var message waE2E.Message
	if err := proto.Unmarshal(command.GetMessage(), &message); err != nil {
		return fmt.Errorf("not a WhatsApp message: %w", err)
	}
	if !client.IsConnected() {
		return errRetryable{whatsmeow.ErrNotConnected}
	}
	sent, err := client.SendMessage(ctx, to, &message, whatsmeow.SendRequestExtra{ID: command.GetMessageId()})
	if err != nil {
		return errRetryable{fmt.Errorf("send failed: %w", err)}
	}
	response.Result = &pb.Response_Sent{Sent: &pb.SendResult{MessageId: sent.ID, Timestamp: sent.Timestamp.Unix()}}
	return nil
}

var uploadTypes = map[pb.MediaType]whatsmeow.MediaType{
	pb.MediaType_MEDIA_IMAGE:    whatsmeow.MediaImage,
	pb.MediaType_MEDIA_VIDEO:    whatsmeow.MediaVideo,
	pb.MediaType_MEDIA_AUDIO:    whatsmeow.MediaAudio,
	pb.MediaType_MEDIA_DOCUMENT: whatsmeow.MediaDocument,
}

func upload(ctx context.Context, client *whatsmeow.Client, command *pb.Upload, response *pb.Response) error {
	mediaType, ok := uploadTypes[command.GetMediaType()]
	if !ok {
		return fmt.Errorf("unknown media type %v", command.GetMediaType())
	}
	uploaded, err := client.Upload(ctx, command.GetData(), mediaType)
	if err != nil {
		return errRetryable{fmt.Errorf("upload failed: %w", err)}
	}
	response.Result = &pb.Response_Uploaded{Uploaded: &pb.UploadResult{
		Url:           uploaded.URL,
		DirectPath:    uploaded.DirectPath,
		MediaKey:      uploaded.MediaKey,
		FileEncSha256: uploaded.FileEncSHA256,
		FileSha256:    uploaded.FileSHA256,
		FileLength:    uploaded.FileLength,
	}}
	return nil
}

func markRead(ctx context.Context, client *whatsmeow.Client, command *pb.MarkRead) error {
	chat, err := types.ParseJID(command.GetChatJid())
	if err != nil {
		return fmt.Errorf("bad chat %q: %w", command.GetChatJid(), err)
	}
	var sender types.JID
	if command.GetSenderJid() != "" {
		if sender, err = types.ParseJID(command.GetSenderJid()); err != nil {
			return fmt.Errorf("bad sender %q: %w", command.GetSenderJid(), err)
		}
	}
	if err := client.MarkRead(ctx, command.GetMessageIds(), time.Now(), chat, sender); err != nil {
		return errRetryable{fmt.Errorf("mark read failed: %w", err)}
	}
	return nil
}

func setTyping(ctx context.Context, client *whatsmeow.Client, command *pb.SetTyping) error {
	chat, err := types.ParseJID(command.GetChatJid())
	if err != nil {
		return fmt.Errorf("bad chat %q: %w", command.GetChatJid(), err)
	}
	state := types.ChatPresencePaused
	if command.GetComposing() {
		state = types.ChatPresenceComposing
	}
	if err := client.SendChatPresence(ctx, chat, state, types.ChatPresenceMediaText); err != nil {
		return errRetryable{fmt.Errorf("typing failed: %w", err)}
	}
	return nil
}

func phoneOfLid(ctx context.Context, client *whatsmeow.Client, command *pb.PhoneOfLid, response *pb.Response) error {
	lid, err := types.ParseJID(command.GetLidJid())
	if err != nil {
		return fmt.Errorf("bad LID %q: %w", command.GetLidJid(), err)
	}
	phone, err := client.Store.LIDs.GetPNForLID(ctx, lid)
	if err != nil {
		return errRetryable{fmt.Errorf("LID lookup failed: %w", err)}
	}
	response.Result = &pb.Response_PhoneJid{PhoneJid: jidString(phone)}
	return nil
}

// logout unlinks the device from the phone; without a running session it resumes the device just for that.
func (s *Server) logout(ctx context.Context, key, deviceJID string) error {
	if session := s.session(key); session != nil {
		s.replaceSession(key, nil)
		defer session.stop()
		return session.logout(ctx)
	}
	if deviceJID == "" {
		return nil
	}
	device, err := s.device(ctx, deviceJID)
	if err != nil || device == nil {
		return err
	}
	session := s.newSession(key, device)
	defer session.stop()
	if err := session.connectAndWait(ctx); err != nil {
		// WhatsApp cannot be told; the keys must not outlive the logout all the same.
		if deleteErr := device.Delete(ctx); deleteErr != nil {
			return fmt.Errorf("could not connect to unlink (%v) nor delete the keys: %w", err, deleteErr)
		}
		return errRetryable{fmt.Errorf("keys deleted, but WhatsApp was not told: %w", err)}
	}
	return session.logout(ctx)
}

func (s *Server) forgetDevice(ctx context.Context, deviceJID string) error {
	device, err := s.device(ctx, deviceJID)
	if err != nil || device == nil {
		return err
	}
	return device.Delete(ctx)
}
