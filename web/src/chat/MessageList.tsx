// The conversation: day separators, older pages loaded when scrolled to the top (keeping the view still),
// and a stick-to-bottom behaviour for new messages.
import { useQuery } from "@tanstack/react-query";
import { useLayoutEffect, useMemo, useRef, useState } from "react";
import { ticketHistory } from "../api/endpoints";
import { keys } from "../api/queries";
import type { Message, TicketHistoryLine } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Spinner } from "../ui/Spinner";
import { useInfiniteScroll } from "../ui/useInfiniteScroll";
import { dayLabel, withDaySeparators } from "./days";
import { ImageViewer } from "./ImageViewer";
import { MessageBubble } from "./MessageBubble";
import { systemLineText } from "./systemLines";
import { useMessages } from "./useMessages";

interface ShownLine {
  line: TicketHistoryLine;
  text: string | null;
  time: number;
}

function SystemLine({ line, text }: Omit<ShownLine, "time">) {
  if (!text) return null;
  return (
    <div className="system-line" role="note" data-testid="system-line" data-kind={line.kind}>
      <span>{text}</span>
    </div>
  );
}

/** The history lines after `after` (none: from the start) up to and including `until` (none: to the end). */
function linesBetween(lines: ShownLine[], after: string | undefined, until: string | undefined): ShownLine[] {
  const from = after ? Date.parse(after) : -Infinity;
  const to = until ? Date.parse(until) : Infinity;
  return lines.filter(({ time }) => time > from && time <= to);
}

function previousTime(items: ReturnType<typeof withDaySeparators>, index: number): string | undefined {
  for (let at = index - 1; at >= 0; at -= 1) {
    const item = items[at];
    if (item?.kind === "message") return item.message.created_at;
  }
  return undefined;
}

interface MessageListProps {
  ticketId: number;
  isGroup: boolean;
  onReply: (message: Message) => void;
  onResend: (message: Message) => void;
}

export function MessageList({ ticketId, isGroup, onReply, onResend }: MessageListProps) {
  const { t, formatDate } = useI18n();
  const list = useMessages(ticketId);
  const [viewing, setViewing] = useState<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const anchor = useRef<{ height: number; top: number } | null>(null);
  const items = useMemo(() => withDaySeparators(list.items), [list.items]);
  const history = useQuery({ queryKey: keys.ticketHistory(ticketId), queryFn: () => ticketHistory.list(ticketId), staleTime: Infinity });
  // Lines older than the oldest message loaded wait until scrolling up loads their time.
  const shownSince = list.hasNextPage && list.items[0] ? Date.parse(list.items[0].created_at) : -Infinity;
  const lines = useMemo(
    () =>
      (history.data ?? [])
        .map((line) => ({ line, text: systemLineText(line, t), time: Date.parse(line.at) }))
        .filter(({ time }) => time >= shownSince),
    [history.data, shownSince, t],
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

  // Older messages were put above: keep what the person was reading where it was.
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !anchor.current) return;
    element.scrollTop = element.scrollHeight - anchor.current.height + anchor.current.top;
    anchor.current = null;
  }, [firstKey]);

  // A new last message: follow it if we were at the bottom, or if it is ours.
  const stuck = useRef(true);
  useLayoutEffect(() => {
    const element = scroller.current;
    if (element && (stuck.current || last?.from_me)) element.scrollTop = element.scrollHeight;
  }, [last?.id, last?.client_id, last?.from_me]);

  if (list.isPending) return <div className="messages"><Spinner label={t("common.loading")} /></div>;
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
      {items.map((item, index) => {
        const before = item.kind === "message" ? linesBetween(lines, previousTime(items, index), item.message.created_at) : [];
        if (item.kind === "day") {
          const label = dayLabel(item.date);
          return (
            <div key={item.key} className="day-separator" role="separator" data-testid="day-separator">
              <span>{label ? t(label === "today" ? "chat.today" : "chat.yesterday") : formatDate(item.date.toISOString())}</span>
            </div>
          );
        }
        const message = item.message;
        return [
          ...before.map(({ line, text }) => <SystemLine key={`line-${line.id}`} line={line} text={text} />),
          <MessageBubble
            key={item.key}
            message={message}
            quoted={message.quoted_message_id ? byId.get(message.quoted_message_id) : undefined}
            showSender={isGroup && !message.from_me}
            onReply={onReply}
            onResend={onResend}
            onOpenImage={setViewing}
          />,
        ];
      })}
      {linesBetween(lines, last?.created_at, undefined).map(({ line, text }) => (
        <SystemLine key={`line-${line.id}`} line={line} text={text} />
      ))}
      {viewing && <ImageViewer src={viewing} onClose={() => setViewing(null)} />}
    </div>
  );
}
