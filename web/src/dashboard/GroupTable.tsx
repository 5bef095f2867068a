// The period's figures per queue or per connection: one table, one row per group.
import type { QueueReportRow, ReportSpread } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { formatDuration, formatNumber } from "./period";

type Figures = Pick<QueueReportRow, "created" | "closed" | "waiting" | "first_response" | "resolution">;

export interface GroupRow {
  key: number | string;
  name: string;
  figures: Figures;
  /** A queue's: how long the period's closed tickets spent in it. */
  timeInQueue?: ReportSpread;
}

export function GroupTable({ title, nameHeader, rows, testId }: { title: string; nameHeader: string; rows: GroupRow[]; testId: string }) {
  const { t, language } = useI18n();
  const inQueue = rows.some((row) => row.timeInQueue !== undefined);
  return (
    <section className="dashboard-card dashboard-wide" data-testid={testId}>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="page-empty">{t("dashboard.noTickets")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{nameHeader}</th>
                <th>{t("dashboard.created")}</th>
                <th>{t("dashboard.closed")}</th>
                <th>{t("dashboard.waitingMedian")}</th>
                <th>{t("dashboard.firstResponseMedian")}</th>
                <th>{t("dashboard.resolutionMedian")}</th>
                {inQueue && <th>{t("dashboard.timeInQueueMedian")}</th>}
                {inQueue && <th>{t("dashboard.timeInQueueP90")}</th>}
              </tr>
            </thead>
            <tbody>
              {rows.map(({ key, name, figures, timeInQueue }) => (
                <tr key={key} data-testid="group-row" data-name={name}>
                  <td>{name}</td>
                  <td data-testid="group-created">{formatNumber(language, figures.created)}</td>
                  <td data-testid="group-closed">{formatNumber(language, figures.closed)}</td>
                  <td data-testid="group-waiting">{formatDuration(figures.waiting.median)}</td>
                  <td>{formatDuration(figures.first_response.median)}</td>
                  <td>{formatDuration(figures.resolution.median)}</td>
                  {inQueue && <td data-testid="group-in-queue">{formatDuration(timeInQueue?.median)}</td>}
                  {inQueue && <td data-testid="group-in-queue-p90">{formatDuration(timeInQueue?.p90)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
