// One conversation: header with the ticket actions, the messages, and the reply box (files can be dropped anywhere).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useState, type DragEvent } from "react";
import { ApiError } from "../api/client";
import { messages, tickets } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Message, Ticket } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { ContactPanel } from "../contacts/ContactPanel";
import { useI18n } from "../i18n/I18nProvider";
import { allTickets, type Pages } from "../realtime/cache";
import type { TabId } from "../tickets/tabs";
import { Spinner } from "../ui/Spinner";
import { ScheduleDialog, type NewSchedule } from "../scheduled/ScheduleDialog";
import { ScheduledStrip } from "../scheduled/ScheduledStrip";
import { ChatHeader } from "./ChatHeader";
import { ChatSearch } from "./ChatSearch";
import { Composer } from "./Composer";
import { MessageList } from "./MessageList";
import { TemplatePicker } from "./TemplatePicker";
import { useReadWhileOpen } from "./useMessages";
import { useTypingSignal } from "./typing";
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

/** The 24-hour customer-service window (Cloud API): refetched when the customer writes (see the socket module). */
function useServiceWindow(ticketId: number) {
  return useQuery({ queryKey: keys.window(ticketId), queryFn: () => messages.window(ticketId), staleTime: 60_000 });
}

export function ChatPane({ ticketId, onTab }: { ticketId: number; onTab: (tab: TabId) => void }) {
  const { t } = useI18n();
  const me = useMe();
  const ticket = useTicket(ticketId);
  const serviceWindow = useServiceWindow(ticketId);
  const [picking, setPicking] = useState(false);
  const { send, resend, discard } = useSend(ticketId);
  const typing = useTypingSignal(ticketId);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const [showContact, setShowContact] = useState(false);
  // Open while the agent schedules what the composer held; `settle` tells the composer how it ended.
  const [scheduling, setScheduling] = useState<(NewSchedule & { settle: (scheduled: boolean) => void }) | null>(null);
  const [searching, setSearching] = useState(false);
  const [focusId, setFocusId] = useState<number | null>(null);
  const closeSearch = useCallback(() => {
    setSearching(false);
    setFocusId(null);
  }, []);
  useReadWhileOpen(ticketId, ticket.data?.unread_count ?? 0);

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
  // Outside the window the banner and its template picker take the composer's place.
  const windowClosed = !blocked && Boolean(serviceWindow.data?.applies && !serviceWindow.data.open);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = event.dataTransfer.files[0];
    if (dropped && !blocked) setFile(dropped);
  };

  return (
    <div className="chat-area">
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
        <ChatHeader ticket={current} onTab={onTab} onContact={() => setShowContact(!showContact)} onSearch={() => setSearching(true)} />
        {searching && <ChatSearch ticketId={ticketId} onFocus={setFocusId} onClose={closeSearch} />}
        <MessageList
          ticketId={ticketId}
          isGroup={current.contact.is_group}
          onReply={setReplyTo}
          onResend={resend}
          onDiscard={discard}
          focusId={focusId}
          onLeaveFocus={closeSearch}
        />
        {dragging && <div className="drop-overlay">{t("chat.dropHere")}</div>}
        <ScheduledStrip contactId={current.contact.id} connectionId={current.connection_id} />
        {windowClosed && (
          <div className="banner banner-warning window-banner" role="status" data-testid="window-banner">
            <span>{t("chat.windowClosed")}</span>
            <button type="button" className="button primary" onClick={() => setPicking(true)} data-testid="open-templates">
              {t("chat.sendTemplate")}
            </button>
          </div>
        )}
        {picking && <TemplatePicker ticket={current} onClose={() => setPicking(false)} />}
        {!windowClosed && (
          <Composer
            ticketId={ticketId}
            blockedReason={blocked}
            replyTo={replyTo}
            onCancelReply={() => setReplyTo(null)}
            file={file}
            onFile={setFile}
            onSend={send}
            onSchedule={(draft) => new Promise((settle) => setScheduling({ ticket: current, draft, file, settle }))}
            fillTemplate={(text) => tickets.render(ticketId, text)}
            onTyping={(on) => (on ? typing.typed() : typing.stopped())}
          />
        )}
        {scheduling !== null && (
          <ScheduleDialog
            subject={scheduling}
            onDone={() => {
              if (scheduling.file) setFile(null); // it went with the schedule
              scheduling.settle(true);
              setScheduling(null);
            }}
            onClose={() => {
              scheduling.settle(false);
              setScheduling(null);
            }}
          />
        )}
      </div>
      {showContact && <ContactPanel contactId={current.contact.id} ticketId={current.id} onClose={() => setShowContact(false)} />}
    </div>
  );
}
