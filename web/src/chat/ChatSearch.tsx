// Search inside the open conversation: the matches newest first, stepped through with the arrows (or Enter and
// Shift+Enter), older pages of matches fetched as the steps reach them; each step asks the message list to show
// that message, highlighted.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState, type FormEvent, type KeyboardEvent } from "react";
import { messages } from "../api/endpoints";
import { keys } from "../api/queries";
import { useI18n } from "../i18n/I18nProvider";
import { Icon } from "../ui/Icon";
import { errorMessage } from "../ui/errors";

interface ChatSearchProps {
  ticketId: number;
  onFocus: (messageId: number | null) => void;
  onClose: () => void;
}

export function ChatSearch({ ticketId, onFocus, onClose }: ChatSearchProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const [text, setText] = useState("");
  const [searched, setSearched] = useState<string | null>(null);
  const [index, setIndex] = useState(0);
  const results = useInfiniteQuery({
    queryKey: keys.messageSearch(ticketId, searched ?? ""),
    queryFn: ({ pageParam }) => messages.search(ticketId, searched ?? "", pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: searched !== null,
  });
  const found = useMemo(() => results.data?.pages.flatMap((page) => page.items) ?? [], [results.data]);
  const current = found[index];
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = results;

  // The last match loaded is shown: fetch the older ones, so the next step has somewhere to go.
  useEffect(() => {
    if (found.length > 0 && index >= found.length - 1 && hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [found.length, index, hasNextPage, isFetchingNextPage, fetchNextPage]);

  useEffect(() => {
    onFocus(current?.id ?? null);
  }, [current?.id, onFocus]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const words = text.trim();
    if (!words) return;
    if (words === searched && found.length > 0) {
      // Enter again: the next older match (from the newest again after the oldest).
      setIndex(index < found.length - 1 ? index + 1 : hasNextPage ? index : 0);
      return;
    }
    setSearched(words);
    setIndex(0);
  };
  const step = (by: number) => setIndex(Math.min(Math.max(index + by, 0), found.length - 1));
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") onClose();
    if (event.key === "Enter" && event.shiftKey) {
      event.preventDefault();
      step(-1);
    }
  };

  let status = "";
  if (results.isError) status = errorMessage(results.error, i18n);
  else if (results.isSuccess) {
    const position = { n: index + 1, total: found.length };
    status =
      found.length === 0
        ? t("chat.searchNone")
        : t(hasNextPage ? "chat.searchPositionMore" : "chat.searchPosition", position);
  }

  return (
    <form className="chat-search" role="search" onSubmit={submit} data-testid="chat-search">
      <Icon name="search" size={18} />
      <input
        type="search"
        autoFocus
        value={text}
        maxLength={200}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder={t("chat.searchPlaceholder")}
        aria-label={t("chat.searchPlaceholder")}
        data-testid="chat-search-input"
      />
      <span className="chat-search-status" role="status" data-testid="chat-search-status">
        {status}
      </span>
      <button type="button" className="icon-button" onClick={() => step(1)} disabled={index >= found.length - 1} aria-label={t("chat.searchOlder")} title={t("chat.searchOlder")} data-testid="chat-search-older">
        <Icon name="up" />
      </button>
      <button type="button" className="icon-button" onClick={() => step(-1)} disabled={index <= 0} aria-label={t("chat.searchNewer")} title={t("chat.searchNewer")} data-testid="chat-search-newer">
        <Icon name="down" />
      </button>
      <button type="button" className="icon-button" onClick={onClose} aria-label={t("common.close")} title={t("common.close")} data-testid="chat-search-close">
        <Icon name="close" />
      </button>
    </form>
  );
}
