// One conversation: header with the ticket actions, the messages, and the reply box (files can be dropped anywhere).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import { tickets } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Message, Ticket } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { allTickets, type Pages } from "../realtime/cache";
import type { TabId } from "../tickets/tabs";
import { Spinner } from "../ui/Spinner";
import { ChatHeader } from "./ChatHeader";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { useSend } from "./useSend";

function useTicket(ticketId: number) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.ticket(ticketId),
    queryFn: () => tickets.get(ticketId),
    initialData: () => {
      for (const [, data] of client.getQueriesData<Pages<Ticket>>({ queryKey: keys.ticketLists })) {
        const found = allTickets(data).find((ticket) => ticket.id === ticketId);
        if (found) return found;
      }
      return undefined;
    },
    staleTime: 5_000,
  });
}

export function ChatPane({ ticketId, onTab }: { ticketId: number; onTab: (tab: TabId) => void }) {
  const { t } = useI18n();
  const me = useMe();
  const ticket = useTicket(ticketId);
  const { send, resend } = useSend(ticketId);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);

  if (ticket.isError) {
    const gone = ticket.error instanceof ApiError && [403, 404].includes(ticket.error.status);
    return <p className="page-empty">{gone ? t("notFound.title") : t("common.error")}</p>;
  }
  if (!ticket.data) return <Spinner label={t("common.loading")} />;
  const current = ticket.data;
  const blocked =
    current.status === "closed"
      ? t("chat.placeholderClosed")
      : current.status === "pending" && current.assignee_id !== me.id
        ? t("chat.placeholderPending")
        : null;

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !blocked) setFile(dropped);
  };

  return (
    <div
      className={dragging ? "chat dragging" : "chat"}
      data-testid="chat-pane"
      onDragOver={(event) => {
        if (event.dataTransfer.types.includes("Files")) {
          event.preventDefault();
          setDragging(true);
        }
      }}
      onDragLeave={(event) => {
        if (event.currentTarget === event.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <ChatHeader ticket={current} onTab={onTab} />
      <MessageList ticketId={ticketId} isGroup={current.contact.is_group} onReply={setReplyTo} onResend={resend} />
      {dragging && <div className="drop-overlay">{t("chat.dropHere")}</div>}
      <Composer
        blockedReason={blocked}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        file={file}
        onFile={setFile}
        onSend={send}
      />
    </div>
  );
}
