// The page title carries how many messages and tickets wait for me: "(3) zapdesk".
import { useEffect } from "react";
import type { Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { MINE_FILTERS, PENDING_FILTERS } from "../tickets/tabs";
import { useTicketList } from "../tickets/useTicketList";
import { askNotificationPermission } from "./notify";

export function waitingCount(mine: Ticket[], pending: Ticket[]): number {
  return mine.reduce((sum, ticket) => sum + ticket.unread_count, 0) + pending.length;
}

export function useAttention(): void {
  const { t } = useI18n();
  // Both lists stay loaded (and live) on every page, so the title counts even away from the inbox.
  const mine = useTicketList(MINE_FILTERS).items;
  const pending = useTicketList(PENDING_FILTERS).items;
  const count = waitingCount(mine, pending);

  useEffect(() => {
    document.title = count > 0 ? t("attention.title", { count }) : t("app.name");
  }, [count, t]);

  useEffect(() => {
    // Browsers only allow asking after a gesture: the first click anywhere.
    const ask = () => askNotificationPermission();
    window.addEventListener("click", ask, { once: true });
    return () => window.removeEventListener("click", ask);
  }, []);
}
