import { Link } from "react-router";
import type { Connection, Queue, Tag, Ticket } from "../api/types";
import { TagChip } from "../tags/TagChip";
import { useI18n } from "../i18n/I18nProvider";
import { Avatar } from "../ui/Avatar";
import { shortTime } from "./time";

interface TicketRowProps {
  ticket: Ticket;
  selected: boolean;
  queue: Queue | undefined;
  connection: Connection | undefined;
  tags: Tag[];
  /** Who works on it, when that is somebody else (shown in the admins' "Todos"). */
  assignee: string | null;
}

export function TicketRow({ ticket, selected, queue, connection, tags, assignee }: TicketRowProps) {
  const { t, language } = useI18n();
  const when = ticket.last_message_at ?? ticket.last_activity_at;
  return (
    <li>
      <Link
        to={`/tickets/${ticket.id}`}
        className={selected ? "ticket-row selected" : "ticket-row"}
        aria-current={selected ? "true" : undefined}
        data-testid="ticket-row"
        data-ticket-id={ticket.id}
        data-status={ticket.status}
        style={{ borderLeftColor: queue?.color ?? "transparent" }}
      >
        <Avatar name={ticket.contact.name} url={ticket.contact.profile_picture_url} />
        <span className="ticket-row-main">
          <span className="ticket-row-top">
            <span className="ticket-row-name" data-testid="ticket-contact-name">
              {ticket.contact.name}
            </span>
            <time dateTime={when} className="ticket-row-time">
              {shortTime(when, language)}
            </time>
          </span>
          <span className="ticket-row-bottom">
            <span className="ticket-row-preview" data-testid="ticket-preview">
              {ticket.last_message ?? ""}
            </span>
            {ticket.unread_count > 0 && (
              <span className="badge" data-testid="unread-badge" aria-label={t("tickets.unread", { count: ticket.unread_count })}>
                {ticket.unread_count}
              </span>
            )}
          </span>
          <span className="ticket-row-tags">
            {connection && <span className="tag">{connection.name}</span>}
            {assignee && <span className="tag">{t("tickets.assignedTo", { name: assignee })}</span>}
            <span className="tag" style={queue ? { background: queue.color, color: "#fff" } : undefined}>
              {queue?.name ?? t("tickets.noQueue")}
            </span>
            {tags.map((tag) => (
              <TagChip key={tag.id} tag={tag} />
            ))}
          </span>
        </span>
      </Link>
    </li>
  );
}
