// The dashboard's charts, each with the table it draws (for screen readers, and for anyone who wants the numbers).
import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { AgentReportRow, ReportSummary } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { formatDay, formatDuration, formatNumber, SERIES_COLOURS } from "./period";

function ChartCard({ title, testId, chart, table }: { title: string; testId: string; chart: ReactNode; table: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="dashboard-card" data-testid={testId}>
      <h2>{title}</h2>
      <div className="dashboard-chart" aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          {chart}
        </ResponsiveContainer>
      </div>
      <details>
        <summary>{t("dashboard.showTable")}</summary>
        <div className="table-wrap">{table}</div>
      </details>
    </section>
  );
}

export function VolumeChart({ days }: { days: ReportSummary["by_day"] }) {
  const { t, language } = useI18n();
  const data = days.map((day) => ({ ...day, label: formatDay(language, day.day) }));
  const created = t("dashboard.created");
  const closed = t("dashboard.closed");
  return (
    <ChartCard
      title={t("dashboard.volumeByDay")}
      testId="chart-volume"
      chart={
        <LineChart data={data}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Line type="monotone" dataKey="created" name={created} stroke={SERIES_COLOURS.created} strokeWidth={2} />
          <Line type="monotone" dataKey="closed" name={closed} stroke={SERIES_COLOURS.closed} strokeWidth={2} strokeDasharray="6 3" />
        </LineChart>
      }
      table={
        <table className="table" data-testid="table-volume">
          <thead>
            <tr>
              <th>{t("dashboard.day")}</th>
              <th>{created}</th>
              <th>{closed}</th>
            </tr>
          </thead>
          <tbody>
            {data.map((day) => (
              <tr key={day.day}>
                <td>{day.label}</td>
                <td>{formatNumber(language, day.created)}</td>
                <td>{formatNumber(language, day.closed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

export function AgentsChart({ rows }: { rows: AgentReportRow[] }) {
  const { t, language } = useI18n();
  const closed = t("dashboard.closed");
  return (
    <ChartCard
      title={t("dashboard.perAgent")}
      testId="chart-agents"
      chart={
        <BarChart data={rows}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Legend />
          <Bar dataKey="open_now" name={t("dashboard.openNow")} fill={SERIES_COLOURS.open} />
          <Bar dataKey="closed" name={closed} fill={SERIES_COLOURS.agents} />
        </BarChart>
      }
      table={
        <table className="table" data-testid="table-agents">
          <thead>
            <tr>
              <th>{t("dashboard.agent")}</th>
              <th>{t("dashboard.openNow")}</th>
              <th>{closed}</th>
              <th>{t("dashboard.firstResponseMedian")}</th>
              <th>{t("dashboard.resolutionMedian")}</th>
              <th>{t("dashboard.csat")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.user_id} data-testid="agent-row">
                <td>{row.name}</td>
                <td>{formatNumber(language, row.open_now)}</td>
                <td>{formatNumber(language, row.closed)}</td>
                <td>{formatDuration(row.first_response.median)}</td>
                <td>{formatDuration(row.resolution.median)}</td>
                <td>{formatNumber(language, row.csat.average, 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}

/** Tickets created per weekday × hour: a table whose cells are shaded by count (the number is always written). */
export function HeatmapTable({ cells }: { cells: number[][] }) {
  const { t, language } = useI18n();
  const highest = Math.max(1, ...cells.flat());
  const weekdays = [0, 1, 2, 3, 4, 5, 6].map((offset) =>
    // 2024-01-01 was a Monday: the server's rows start on Monday.
    new Intl.DateTimeFormat(language, { weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, 1 + offset))),
  );
  return (
    <section className="dashboard-card dashboard-wide" data-testid="heatmap">
      <h2>{t("dashboard.heatmap")}</h2>
      <div className="table-wrap">
        <table className="heatmap">
          <caption className="visually-hidden">{t("dashboard.heatmap")}</caption>
          <thead>
            <tr>
              <th />
              {Array.from({ length: 24 }, (_, hour) => (
                <th key={hour} scope="col">
                  {hour}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {cells.map((row, weekday) => (
              <tr key={weekday}>
                <th scope="row">{weekdays[weekday]}</th>
                {row.map((count, hour) => (
                  <td
                    key={hour}
                    data-count={count}
                    style={{ backgroundColor: count ? `rgba(0, 114, 178, ${0.15 + 0.85 * (count / highest)})` : undefined }}
                  >
                    {count || ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
