// Sending: the bubble appears at once (pending), then becomes the stored message (matched by client_id).
import { useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { ApiError } from "../api/client";
import { messages } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Message } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { applyMessage, forgetUnsent } from "../realtime/RealtimeProvider";
import { errorMessage } from "../ui/errors";
import { newClientId, optimisticMessage, type Draft } from "./outgoing";

// What each message not stored yet was made from, by client_id, so "Reenviar" posts the same thing (same
// client_id); kept as long as its unsent copy, also after the chat was closed and opened again.
const drafts = new Map<string, Draft>();

export function useSend(ticketId: number) {
  const client = useQueryClient();
  const i18n = useI18n();

  const post = useCallback(
    (optimistic: Message, draft: Draft) => {
      applyMessage(client, { ...optimistic, status: "pending", error: null });
      const clientId = optimistic.client_id ?? newClientId();
      const stored = draft.note
        ? messages.note(ticketId, { body: draft.body, client_id: clientId })
        : draft.voice && draft.file
          ? messages.voiceNote(ticketId, { file: draft.file, client_id: clientId, quoted_message_id: draft.quoted?.id ?? null })
          : messages.send(ticketId, {
            body: draft.body,
            client_id: clientId,
            quoted_message_id: draft.quoted?.id ?? null,
            ...(draft.file ? { file: draft.file } : {}),
          });
      stored.then(
          (stored) => {
            drafts.delete(optimistic.client_id ?? "");
            applyMessage(client, stored);
          },
          (error: unknown) => {
            applyMessage(client, { ...optimistic, status: "failed", error: errorMessage(error, i18n) });
            // The window closed while the agent was typing: the banner and the template picker take over.
            if (error instanceof ApiError && error.code === "window_closed") void client.invalidateQueries({ queryKey: keys.window(ticketId) });
          },
        );
    },
    [client, i18n, ticketId],
  );

  const send = useCallback(
    (draft: Draft) => {
      const clientId = newClientId();
      drafts.set(clientId, draft);
      post(optimisticMessage(ticketId, draft, clientId), draft);
    },
    [post, ticketId],
  );

  const resend = useCallback(
    (message: Message) => {
      const draft = message.client_id ? drafts.get(message.client_id) : undefined;
      if (message.id < 0 && draft) {
        post(message, draft);
        return;
      }
      applyMessage(client, { ...message, status: "pending", error: null });
      messages.retry(message.id).then(
        (stored) => applyMessage(client, stored),
        (error: unknown) => applyMessage(client, { ...message, status: "failed", error: errorMessage(error, i18n) }),
      );
    },
    [client, post, i18n],
  );

  // A message the server refused and the agent gives up on (it never left): out of the chat, its draft forgotten.
  const discard = useCallback(
    (message: Message) => {
      drafts.delete(message.client_id ?? "");
      forgetUnsent(client, message);
    },
    [client],
  );

  return { send, resend, discard };
}
