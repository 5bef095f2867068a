// The page title carries how many messages and tickets wait for me: "(3) zapdesk".
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { keys } from "../api/queries";
import type { Ticket } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { allTickets, type Pages } from "../realtime/cache";
import { MINE_FILTERS, PENDING_FILTERS } from "../tickets/tabs";
import { askNotificationPermission } from "./notify";

export function waitingCount(mine: Ticket[], pending: Ticket[]): number {
  return mine.reduce((sum, ticket) => sum + ticket.unread_count, 0) + pending.length;
}

export function useAttention(): void {
  const client = useQueryClient();
  const { t } = useI18n();
  const [count, setCount] = useState(0);

  useEffect(() => {
    const recount = () => {
      const mine = allTickets(client.getQueryData<Pages<Ticket>>(keys.ticketList(MINE_FILTERS)));
      const pending = allTickets(client.getQueryData<Pages<Ticket>>(keys.ticketList(PENDING_FILTERS)));
      setCount(waitingCount(mine, pending));
    };
    recount();
    return client.getQueryCache().subscribe(recount);
  }, [client]);

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
