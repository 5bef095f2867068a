// The inbox: ticket tabs and list on the left, the open chat on the right (one at a time on a phone).
import { useState } from "react";
import { useParams, useSearchParams } from "react-router";
import { useConnections, useQueues, useTags } from "../api/queries";
import { useMe } from "../auth/AuthProvider";
import { ChatPane } from "../chat/ChatPane";
import { useI18n } from "../i18n/I18nProvider";
import { TicketList } from "./TicketList";
import { filtersFor, PENDING_FILTERS, TABS, type TabId } from "./tabs";
import { useTicketList } from "./useTicketList";

function PendingBadge() {
  const pending = useTicketList(PENDING_FILTERS);
  const count = pending.items.length;
  if (count === 0) return null;
  return (
    <span className="badge" data-testid="pending-count">
      {pending.hasNextPage ? `${count}+` : count}
    </span>
  );
}

export function TicketsPage() {
  const { t } = useI18n();
  const me = useMe();
  const { ticketId } = useParams();
  const [params, setParams] = useSearchParams();
  const tabs = TABS.filter((tab) => !tab.adminOnly || me.role === "admin");
  const tab = (tabs.find((item) => item.id === params.get("tab"))?.id ?? "open") as TabId;
  const [search, setSearch] = useState("");
  const [queueId, setQueueId] = useState<number | undefined>();
  const [connectionId, setConnectionId] = useState<number | undefined>();
  const [tagId, setTagId] = useState<number | undefined>();
  const tags = useTags().data ?? [];
  const queues = useQueues().data ?? [];
  const connections = useConnections().data ?? [];
  const selectedId = ticketId ? Number(ticketId) : null;
  const filters = filtersFor(tab, { search, queueId, connectionId, tagId });

  const selectTab = (next: TabId) => {
    const copy = new URLSearchParams(params);
    copy.set("tab", next);
    setParams(copy);
  };

  return (
    <div className={selectedId ? "inbox has-selection" : "inbox"}>
      <section className="inbox-list" aria-label={t("nav.tickets")}>
        <div role="tablist" className="tabs">
          {tabs.map((item) => (
            <button
              key={item.id}
              type="button"
              role="tab"
              aria-selected={item.id === tab}
              className={item.id === tab ? "tab active" : "tab"}
              onClick={() => selectTab(item.id)}
              data-testid={`tab-${item.id}`}
            >
              {t(item.label)}
              {item.id === "pending" && <PendingBadge />}
            </button>
          ))}
        </div>
        <div className="list-filters">
          <input
            type="search"
            placeholder={t("tickets.search")}
            aria-label={t("tickets.search")}
            value={search}
            onChange={(event) => setSearch(event.target.value)}
            data-testid="ticket-search"
          />
          <div className="filter-row">
            <select
              aria-label={t("tickets.allQueues")}
              value={queueId ?? ""}
              onChange={(event) => setQueueId(event.target.value ? Number(event.target.value) : undefined)}
              data-testid="filter-queue"
            >
              <option value="">{t("tickets.allQueues")}</option>
              {queues.map((queue) => (
                <option key={queue.id} value={queue.id}>
                  {queue.name}
                </option>
              ))}
            </select>
            <select
              aria-label={t("tickets.allConnections")}
              value={connectionId ?? ""}
              onChange={(event) => setConnectionId(event.target.value ? Number(event.target.value) : undefined)}
              data-testid="filter-connection"
            >
              <option value="">{t("tickets.allConnections")}</option>
              {connections.map((connection) => (
                <option key={connection.id} value={connection.id}>
                  {connection.name}
                </option>
              ))}
            </select>
            {tags.length > 0 && (
              <select
                aria-label={t("tags.all")}
                value={tagId ?? ""}
                onChange={(event) => setTagId(event.target.value ? Number(event.target.value) : undefined)}
                data-testid="filter-tag"
              >
                <option value="">{t("tags.all")}</option>
                {tags.map((tag) => (
                  <option key={tag.id} value={tag.id}>
                    {tag.name}
                  </option>
                ))}
              </select>
            )}
          </div>
        </div>
        <TicketList filters={filters} selectedId={selectedId} />
      </section>
      <section className="inbox-chat">
        {selectedId ? (
          <ChatPane key={selectedId} ticketId={selectedId} onTab={selectTab} />
        ) : (
          <p className="page-empty">{t("tickets.select")}</p>
        )}
      </section>
    </div>
  );
}
