import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { tickets } from "../api/endpoints";
import { useConnections, useQueues } from "../api/queries";
import type { Ticket, TicketAction } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { applyTicketEverywhere } from "../realtime/RealtimeProvider";
import { TagPicker } from "../tags/TagPicker";
import { tabOf, type TabId } from "../tickets/tabs";
import { Avatar } from "../ui/Avatar";
import { Icon } from "../ui/Icon";
import { errorMessage } from "../ui/errors";
import { TransferDialog } from "./TransferDialog";

interface ChatHeaderProps {
  ticket: Ticket;
  onTab: (tab: TabId) => void;
  /** Show or hide the contact panel beside the chat. */
  onContact: () => void;
  /** Open the search inside this conversation. */
  onSearch: () => void;
}

export function ChatHeader({ ticket, onTab, onContact, onSearch }: ChatHeaderProps) {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useMe();
  const client = useQueryClient();
  const queue = useQueues().data?.find((item) => item.id === ticket.queue_id);
  const connection = useConnections().data?.find((item) => item.id === ticket.connection_id);
  const [transferring, setTransferring] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const apply = (updated: Ticket) => {
    applyTicketEverywhere(client, updated, me);
    onTab(tabOf(updated.status, updated.assignee_id, me.id));
  };

  const act = async (action: TicketAction) => {
    setBusy(true);
    setError(null);
    try {
      apply(await tickets.update(ticket.id, { action }));
    } catch (caught) {
      setError(errorMessage(caught, i18n));
    } finally {
      setBusy(false);
    }
  };

  return (
    <header className="chat-header" data-testid="chat-header" data-ticket-status={ticket.status}>
      <Link to="/tickets" className="icon-button back-button" aria-label={t("common.back")} data-testid="back-button">
        <Icon name="back" />
      </Link>
      <button type="button" className="avatar-button" onClick={onContact} aria-label={t("contactPanel.open")} title={t("contactPanel.open")} data-testid="contact-panel-button">
        <Avatar name={ticket.contact.name} url={ticket.contact.profile_picture_url} />
      </button>
      <div className="chat-title">
        <strong data-testid="chat-contact-name">{ticket.contact.name}</strong>
        <small>
          {ticket.contact.is_group ? t("chat.group") : `+${ticket.contact.phone}`}
          {connection && ` · ${connection.name}`}
          {" · "}
          <span className="tag" style={queue ? { background: queue.color, color: "#fff" } : undefined} data-testid="chat-queue">
            {queue?.name ?? t("tickets.noQueue")}
          </span>
          {" · "}
          <span data-testid="chat-protocol">{t("chat.protocol", { protocol: ticket.protocol })}</span>
          {ticket.rating != null && (
            <>
              {" · "}
              <span className="tag" data-testid="chat-rating">
                {t("chat.rating", { score: ticket.rating })}
              </span>
            </>
          )}
        </small>
      </div>
      <div className="chat-actions">
        <button type="button" className="icon-button" onClick={onSearch} aria-label={t("chat.search")} title={t("chat.search")} data-testid="chat-search-button">
          <Icon name="search" />
        </button>
        {ticket.status === "pending" && (
          <button type="button" className="button primary" disabled={busy} onClick={() => void act("accept")} data-testid="accept-button">
            {t("chat.accept")}
          </button>
        )}
        {ticket.status !== "closed" && (
          <button type="button" className="button" disabled={busy} onClick={() => setTransferring(true)} data-testid="transfer-button">
            {t("chat.transfer")}
          </button>
        )}
        {ticket.status === "open" && (
          <button type="button" className="button" disabled={busy} onClick={() => void act("close")} data-testid="resolve-button">
            {t("chat.resolve")}
          </button>
        )}
        {ticket.status === "closed" && (
          <button type="button" className="button" disabled={busy} onClick={() => void act("reopen")} data-testid="reopen-button">
            {t("chat.reopen")}
          </button>
        )}
      </div>
      <TagPicker
        tagIds={ticket.tag_ids}
        onChange={(tagId, on) => tickets.tag(ticket.id, tagId, on).then((updated) => applyTicketEverywhere(client, updated, me))}
        testId="ticket-tags"
      />
      {error && <p className="form-error chat-error" role="alert">{error}</p>}
      {transferring && <TransferDialog ticket={ticket} onDone={apply} onClose={() => setTransferring(false)} />}
    </header>
  );
}
