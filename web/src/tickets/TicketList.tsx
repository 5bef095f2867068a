import { useConnections, useDirectory, useQueues, useTags } from "../api/queries";
import { useMe } from "../auth/AuthProvider";
import type { TicketFilters } from "../api/endpoints";
import { useI18n } from "../i18n/I18nProvider";
import { Spinner } from "../ui/Spinner";
import { useInfiniteScroll } from "../ui/useInfiniteScroll";
import { TicketRow } from "./TicketRow";
import { useTicketList } from "./useTicketList";

export function TicketList({ filters, selectedId }: { filters: TicketFilters; selectedId: number | null }) {
  const { t } = useI18n();
  const list = useTicketList(filters);
  const queues = useQueues().data ?? [];
  const connections = useConnections().data ?? [];
  const people = useDirectory().data ?? [];
  const tags = useTags().data ?? [];
  const me = useMe();
  const sentinel = useInfiniteScroll<HTMLLIElement>(() => {
    if (list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
  }, Boolean(list.hasNextPage));

  if (list.isPending) return <Spinner label={t("common.loading")} />;
  if (list.isError) return <p className="form-error">{t("common.error")}</p>;
  return (
    <ul className="ticket-list" data-testid="ticket-list">
      {list.items.length === 0 && <li className="list-empty">{t("tickets.empty")}</li>}
      {list.items.map((ticket) => (
        <TicketRow
          key={ticket.id}
          ticket={ticket}
          selected={ticket.id === selectedId}
          queue={queues.find((queue) => queue.id === ticket.queue_id)}
          connection={connections.find((connection) => connection.id === ticket.connection_id)}
          tags={tags.filter((tag) => ticket.tag_ids.includes(tag.id))}
          assignee={
            ticket.assignee_id && ticket.assignee_id !== me.id
              ? (people.find((person) => person.id === ticket.assignee_id)?.name ?? null)
              : null
          }
        />
      ))}
      {list.hasNextPage && (
        <li ref={sentinel} className="list-more">
          <Spinner />
        </li>
      )}
    </ul>
  );
}
