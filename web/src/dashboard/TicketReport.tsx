// The ticket report: tickets created in the period with their metrics, filtered as the ticket list is, a page at a
// time, and the CSV/XLSX export of the same tickets.
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { reports, type FiguresQuery, type TicketReportQuery } from "../api/endpoints";
import { keys } from "../api/queries";
import { useI18n } from "../i18n/I18nProvider";
import { errorMessage, fieldErrors } from "../ui/errors";
import { formatDuration } from "./period";
import { ReportFilters, type TicketFilters } from "./ReportFilters";

const PAGE = 50;

/** The report of `query`'s period; its durations on `query`'s clock (the exports hold both). */
export function TicketReport({ query: { hours, ...period } }: { query: FiguresQuery }) {
  const i18n = useI18n();
  const { t, formatDate } = i18n;
  const [exportError, setExportError] = useState<string | null>(null);
  const [filters, setFilters] = useState<TicketFilters>({});
  const query: TicketReportQuery = { ...period, ...filters };
  const business = hours === "business";
  const pages = useInfiniteQuery({
    queryKey: [...keys.reports, "tickets", query],
    queryFn: ({ pageParam }) => reports.tickets(query, pageParam),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => (last.length === PAGE ? last.at(-1)?.id : undefined),
  });
  const download = (format: "csv" | "xlsx", sep: "," | ";" = ";") => {
    setExportError(null);
    reports.download(query, format, sep).catch((error: unknown) => setExportError(errorMessage(error, i18n)));
  };
  const rows = pages.data?.pages.flat() ?? [];
  return (
    <section className="dashboard-card dashboard-wide" data-testid="ticket-report">
      <header className="page-header">
        <h2>{t("dashboard.ticketReport")}</h2>
        <div>
          <button type="button" className="button ghost" data-testid="export-csv" onClick={() => download("csv", ";")}>
            {t("dashboard.exportCsvExcel")}
          </button>
          <button type="button" className="button ghost" onClick={() => download("csv", ",")}>
            {t("dashboard.exportCsv")}
          </button>
          <button type="button" className="button ghost" data-testid="export-xlsx" onClick={() => download("xlsx")}>
            {t("dashboard.exportXlsx")}
          </button>
        </div>
      </header>
      <ReportFilters filters={filters} onChange={setFilters} errors={fieldErrors(pages.error, i18n)} />
      {exportError && <p className="form-error" data-testid="export-error">{exportError}</p>}
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th>{t("dashboard.protocol")}</th>
              <th>{t("dashboard.contact")}</th>
              <th>{t("dashboard.agent")}</th>
              <th>{t("dashboard.openedAt")}</th>
              <th>{t("dashboard.waiting")}</th>
              <th>{t("dashboard.firstResponse")}</th>
              <th>{t("dashboard.resolution")}</th>
              <th>{t("dashboard.timeInQueue")}</th>
              <th>{t("dashboard.transfers")}</th>
              <th>{t("dashboard.reopenings")}</th>
              <th>{t("dashboard.messages")}</th>
              <th>{t("dashboard.rating")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-testid="report-row">
                <td>{row.protocol}</td>
                <td>{row.contact_name}</td>
                <td>{row.assignee_name ?? "—"}</td>
                <td>{formatDate(row.created_at)}</td>
                <td>{formatDuration(business ? row.business_waiting_seconds : row.waiting_seconds)}</td>
                <td>{formatDuration(business ? row.business_first_response_seconds : row.first_response_seconds)}</td>
                <td>{formatDuration(business ? row.business_resolution_seconds : row.resolution_seconds)}</td>
                <td data-testid="report-in-queue">{formatDuration(business ? row.business_queue_seconds : row.queue_seconds)}</td>
                <td>{row.transfer_count}</td>
                <td>{row.reopen_count}</td>
                <td>{row.message_count}</td>
                <td>{row.rating ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pages.error && Object.keys(fieldErrors(pages.error, i18n)).length === 0 && (
        <p className="form-error">{errorMessage(pages.error, i18n)}</p>
      )}
      {pages.hasNextPage && (
        <button type="button" className="button ghost" disabled={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
          {t("dashboard.more")}
        </button>
      )}
    </section>
  );
}
