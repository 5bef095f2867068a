package engine

import (
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	pb "zapdesk/engine/internal/protocol"
)

// jidString is whatsmeow's JID.String(), with the empty JID as "" (String gives "" only for some of them).
func jidString(jid types.JID) string {
	if jid.IsEmpty() {
		return ""
	}
	return jid.String()
}

func messageSource(source types.MessageSource) *pb.MessageSource {
	return &pb.MessageSource{
		Chat:         jidString(source.Chat),
		Sender:       jidString(source.Sender),
		IsFromMe:     source.IsFromMe,
		IsGroup:      source.IsGroup,
		SenderAlt:    jidString(source.SenderAlt),
		RecipientAlt: jidString(source.RecipientAlt),
	}
}

// messageEvent forwards whatsmeow's message as it is: its info, and its (already unwrapped) waE2E.Message.
func messageEvent(evt *events.Message) (*pb.Event, error) {
	content, err := proto.Marshal(evt.Message)
	if err != nil {
		return nil, err
	}
	return &pb.Event{Kind: &pb.Event_Message{Message: &pb.MessageEvent{
		Source:      messageSource(evt.Info.MessageSource),
		Id:          evt.Info.ID,
		PushName:    evt.Info.PushName,
		TimestampMs: evt.Info.Timestamp.UnixMilli(),
		Type:        evt.Info.Type,
		Edit:        string(evt.Info.Edit),
		Message:     content,
		IsEdit:      evt.IsEdit,
		IsViewOnce:  evt.IsViewOnce,
		IsEphemeral: evt.IsEphemeral,
	}}}, nil
}

func receiptEvent(evt *events.Receipt) *pb.Event {
	return &pb.Event{Kind: &pb.Event_Receipt{Receipt: &pb.ReceiptEvent{
		Source:     messageSource(evt.MessageSource),
		MessageIds: evt.MessageIDs,
		Timestamp:  evt.Timestamp.Unix(),
		Type:       string(evt.Type),
	}}}
}

func connectedEvent(device *store.Device) *pb.Event {
	connected := &pb.ConnectedEvent{PushName: device.PushName}
	if device.ID != nil {
		connected.DeviceJid = device.ID.String()
	}
	connected.Lid = jidString(device.LID)
	return &pb.Event{Kind: &pb.Event_Connected{Connected: connected}}
}

// failureReason names a connect failure like neonize did ("logged_out"), for the connection's stored reason.
func failureReason(reason events.ConnectFailureReason) string {
	names := map[events.ConnectFailureReason]string{
		events.ConnectFailureGeneric:             "generic",
		events.ConnectFailureLoggedOut:           "logged_out",
		events.ConnectFailureTempBanned:          "temp_banned",
		events.ConnectFailureMainDeviceGone:      "main_device_gone",
		events.ConnectFailureUnknownLogout:       "unknown_logout",
		events.ConnectFailureClientOutdated:      "client_outdated",
		events.ConnectFailureBadUserAgent:        "bad_user_agent",
		events.ConnectFailureInternalServerError: "internal_server_error",
		events.ConnectFailureServiceUnavailable:  "service_unavailable",
	}
	if reason == 0 {
		return "logged_out"
	}
	if name, ok := names[reason]; ok {
		return name
	}
	return strings.ReplaceAll(strings.ToLower(reason.String()), " ", "_")
}

// ---- back to whatsmeow's types: what the debug commands inject -------------------------------------------------

func parseOptionalJID(value string) (types.JID, error) {
	if value == "" {
		return types.EmptyJID, nil
	}
	return types.ParseJID(value)
}

func whatsmeowSource(source *pb.MessageSource) (types.MessageSource, error) {
	var parsed types.MessageSource
	var err error
	for _, field := range []struct {
		into  *types.JID
		value string
	}{
		{&parsed.Chat, source.GetChat()},
		{&parsed.Sender, source.GetSender()},
		{&parsed.SenderAlt, source.GetSenderAlt()},
		{&parsed.RecipientAlt, source.GetRecipientAlt()},
	} {
		if *field.into, err = parseOptionalJID(field.value); err != nil {
			return parsed, fmt.Errorf("bad JID %q: %w", field.value, err)
		}
	}
	parsed.IsFromMe = source.GetIsFromMe()
	parsed.IsGroup = source.GetIsGroup()
	return parsed, nil
}
