// The bell in the menu: how many notifications are unread, and the list; opening one goes to its ticket.
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { notifications } from "../api/endpoints";
import type { AppNotification } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { markNotificationsRead, useNotifications } from "./useNotifications";

function describe(item: AppNotification, t: ReturnType<typeof useI18n>["t"]): string {
  const actor = item.actor_name ?? t("history.actor.removedUser");
  return item.kind === "mentioned" ? t("notifications.mentioned", { actor }) : t("notifications.transferred", { actor });
}

export function NotificationBell() {
  const { t, formatTime } = useI18n();
  const client = useQueryClient();
  const navigate = useNavigate();
  const list = useNotifications().data ?? [];
  const [open, setOpen] = useState(false);
  const unread = list.filter((item) => !item.read_at);

  const openItem = (item: AppNotification) => {
    setOpen(false);
    if (!item.read_at) {
      markNotificationsRead(client, [item.id]);
      void notifications.markRead([item.id]);
    }
    void navigate(`/tickets/${item.ticket_id}`);
  };
  const readAll = () => {
    markNotificationsRead(client, unread.map((item) => item.id));
    void notifications.markRead();
  };

  return (
    <div className="notification-bell">
      <button
        type="button"
        className="button ghost"
        aria-expanded={open}
        aria-label={t("notifications.title")}
        onClick={() => setOpen((current) => !current)}
        data-testid="notification-bell"
      >
        🔔 <span className="nav-label">{t("notifications.title")}</span>
        {unread.length > 0 && (
          <span className="badge" data-testid="notification-count">
            {unread.length}
          </span>
        )}
      </button>
      {open && (
        <div className="notification-panel" role="dialog" aria-label={t("notifications.title")} data-testid="notification-panel">
          <header>
            <strong>{t("notifications.title")}</strong>
            {unread.length > 0 && (
              <button type="button" className="link-button" onClick={readAll} data-testid="notifications-read-all">
                {t("notifications.readAll")}
              </button>
            )}
          </header>
          {list.length === 0 && <p className="list-empty">{t("notifications.empty")}</p>}
          <ul>
            {list.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className={item.read_at ? "notification-item" : "notification-item unread"}
                  onClick={() => openItem(item)}
                  data-testid="notification-item"
                  data-kind={item.kind}
                >
                  <strong>{describe(item, t)}</strong>
                  <span>{item.text}</span>
                  <time dateTime={item.created_at}>{formatTime(item.created_at)}</time>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}
