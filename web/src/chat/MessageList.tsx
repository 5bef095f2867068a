// The conversation: day separators, older pages loaded when scrolled to the top (keeping the view still),
// a stick-to-bottom behaviour for new messages, and a jump to a search result (its surroundings loaded when it is
// older than what is loaded, newer pages as scrolled down; a bar leads back to the newest messages).
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Message } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Spinner } from "../ui/Spinner";
import { useInfiniteScroll } from "../ui/useInfiniteScroll";
import { dayLabel, withDaySeparators } from "./days";
import { historyLine, timeline } from "./history";
import { ImageViewer } from "./ImageViewer";
import { MessageBubble } from "./MessageBubble";
import { useMessages, useMessagesAround } from "./useMessages";
import { useTicketHistory } from "./useTicketHistory";

interface MessageListProps {
  ticketId: number;
  isGroup: boolean;
  onReply: (message: Message) => void;
  onResend: (message: Message) => void;
  onDiscard: (message: Message) => void;
  /** The message to show, centred and highlighted (a search result); null for the newest messages. */
  focusId: number | null;
  onLeaveFocus: () => void;
}

export function MessageList({ ticketId, isGroup, onReply, onResend, onDiscard, focusId, onLeaveFocus }: MessageListProps) {
  const { t, formatDate, formatTime } = useI18n();
  const live = useMessages(ticketId);
  // A result already loaded is shown where it is; an older one with the page around it, instead of the live list.
  const jumpFar = focusId !== null && !live.items.some((message) => message.id === focusId);
  const around = useMessagesAround(ticketId, jumpFar ? focusId : null);
  const list = jumpFar ? around : live;
  const history = useTicketHistory(ticketId);
  const [viewing, setViewing] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const complete = list.isSuccess && !list.hasNextPage;
  const items = useMemo(
    () => withDaySeparators(timeline(list.items, history.data ?? [], complete)),
    [list.items, history.data, complete],
  );
  const byId = useMemo(() => new Map(list.items.map((message) => [message.id, message])), [list.items]);
  const firstKey = list.items[0]?.id;
  const last = list.items[list.items.length - 1];

  const sentinel = useInfiniteScroll<HTMLDivElement>(() => {
    const element = scroller.current;
    if (!element || !list.hasNextPage || list.isFetchingNextPage) return;
    anchor.current = { height: element.scrollHeight, top: element.scrollTop };
    void list.fetchNextPage();
  }, Boolean(list.hasNextPage));
  const newerSentinel = useInfiniteScroll<HTMLDivElement>(() => {
    if (around.hasPreviousPage && !around.isFetchingPreviousPage) void around.fetchPreviousPage();
  }, jumpFar && around.hasPreviousPage);

  // Older messages were put above: keep what the person was reading where it was.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !anchor.current) return;
    element.scrollTop = element.scrollHeight - anchor.current.height + anchor.current.top;
    anchor.current = null;
  }, [firstKey]);

  // A new last message: follow it if we were at the bottom, or if it is ours; not after a jump, where the last
  // message is the end of a newer page loaded below what is being read.
  const stuck = useRef(true);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && !jumpFar && (stuck.current || last?.from_me)) element.scrollTop = element.scrollHeight;
  }, [jumpFar, last?.id, last?.client_id, last?.from_me]);

  // The focused message, once rendered: into the middle of the view (after the effects above).
  const shown = list.items.some((message) => message.id === focusId);
  useLayoutEffect(() => {
    const element = scroller.current?.querySelector(`[data-message-id="${focusId}"]`);
    if (!element) return;
    stuck.current = false;
    element.scrollIntoView({ block: "center" });
  }, [focusId, shown]);

  if (list.isPending) return <div className="messages"><Spinner label={t("common.loading")} /></div>;
  const leave = () => {
    stuck.current = true;
    onLeaveFocus();
  };
  return (
    <div
      className="messages"
      ref={scroller}
      data-testid="message-list"
      onScroll={(event) => {
        const element = event.currentTarget;
        stuck.current = element.scrollHeight - element.scrollTop - element.clientHeight < 80;
      }}
    >
      {list.hasNextPage ? (
        <div ref={sentinel} className="history-more">
          <Spinner label={t("chat.loadingHistory")} />
        </div>
      ) : (
        <div className="history-start">{t("chat.historyStart")}</div>
      )}
      {items.map((item) => {
        if (item.kind === "day") {
          const label = dayLabel(item.date);
          return (
            <div key={item.key} className="day-separator" role="separator" data-testid="day-separator">
              <span>{label ? t(label === "today" ? "chat.today" : "chat.yesterday") : formatDate(item.date.toISOString())}</span>
            </div>
          );
        }
        if (item.kind === "event") {
          return (
            <div key={item.key} className="system-line" role="note" data-testid="history-line" data-kind={item.event.kind}>
              <span>
                {historyLine(item.event, t)} · {formatTime(item.event.at)}
              </span>
            </div>
          );
        }
        const message = item.message;
        return (
          <MessageBubble
            key={item.key}
            message={message}
            quoted={message.quoted_message_id ? byId.get(message.quoted_message_id) : undefined}
            showSender={isGroup && !message.from_me}
            onReply={onReply}
            onResend={onResend}
            onDiscard={onDiscard}
            onOpenImage={setViewing}
            highlighted={message.id === focusId}
          />
        );
      })}
      {jumpFar && around.hasPreviousPage && (
        <div ref={newerSentinel} className="history-more" data-testid="history-newer">
          <Spinner label={t("chat.loadingHistory")} />
        </div>
      )}
      {jumpFar && (
        <button type="button" className="button jump-newest" onClick={leave} data-testid="jump-newest">
          {t("chat.searchNewest")}
        </button>
      )}
      {viewing && <ImageViewer src={viewing} onClose={() => setViewing(null)} />}
    </div>
  );
}
