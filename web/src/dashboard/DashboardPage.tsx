// "Painel": right now (live: who waits, who is at their desk, who holds what), and how the team did over a period —
// figures, charts, tables per queue and per connection, and the ticket report.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { reports, type FiguresQuery, type ReportHours } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ReportSpread, ReportSummary } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { errorMessage, fieldErrors } from "../ui/errors";
import { Spinner } from "../ui/Spinner";
import { AgentsChart, HeatmapTable, VolumeChart } from "./charts";
import { GroupTable } from "./GroupTable";
import { AgentsNow, NowFigures, useNow } from "./NowPanel";
import { formatDuration, formatNumber, periodFor, type Period, type PeriodChoice } from "./period";
import { TicketReport } from "./TicketReport";

const CHOICES: { value: PeriodChoice; label: MessageKey }[] = [
  { value: "today", label: "dashboard.today" },
  { value: "7d", label: "dashboard.last7" },
  { value: "30d", label: "dashboard.last30" },
  { value: "custom", label: "dashboard.custom" },
];

function PeriodPicker({ choice, custom, onChoice, onCustom, errors }: {
  choice: PeriodChoice;
  custom: Period;
  onChoice: (choice: PeriodChoice) => void;
  onCustom: (period: Period) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  return (
    <div className="dashboard-period" role="group" aria-label={t("dashboard.period")}>
      {CHOICES.map((item) => (
        <button
          key={item.value}
          type="button"
          className={`button ${choice === item.value ? "" : "ghost"}`}
          aria-pressed={choice === item.value}
          data-testid={`period-${item.value}`}
          onClick={() => onChoice(item.value)}
        >
          {t(item.label)}
        </button>
      ))}
      {choice === "custom" && (
        <>
          <label>
            {t("dashboard.from")}{" "}
            <input type="date" value={custom.start} data-testid="period-start" onChange={(e) => onCustom({ ...custom, start: e.target.value })} />
          </label>
          <label>
            {t("dashboard.to")}{" "}
            <input type="date" value={custom.end} data-testid="period-end" onChange={(e) => onCustom({ ...custom, end: e.target.value })} />
          </label>
          {Object.values(errors).map((message) => (
            <p key={message} className="form-error" role="alert" data-testid="period-error">
              {message}
            </p>
          ))}
        </>
      )}
    </div>
  );
}

// Durations counted only inside each connection's business hours, or every second; counts never change.
function BusinessHoursToggle({ hours, onChange }: { hours: ReportHours; onChange: (hours: ReportHours) => void }) {
  const { t } = useI18n();
  const business = hours === "business";
  return (
    <button
      type="button"
      className={`button ${business ? "" : "ghost"}`}
      aria-pressed={business}
      title={t("dashboard.businessHoursHint")}
      data-testid="hours-business"
      onClick={() => onChange(business ? "all" : "business")}
    >
      {t("dashboard.businessHours")}
    </button>
  );
}

function SpreadFigure({ label, spread, testId }: { label: string; spread: ReportSpread; testId: string }) {
  const { t } = useI18n();
  return (
    <div className="dashboard-figure" data-testid={testId}>
      <span>{label}</span>
      <strong>{formatDuration(spread.median)}</strong>
      <small>
        {t("dashboard.p90")}: {formatDuration(spread.p90)}
      </small>
    </div>
  );
}

function Figures({ summary }: { summary: ReportSummary }) {
  const { t, language } = useI18n();
  const counts: [MessageKey, number, string][] = [
    ["dashboard.created", summary.created, "figure-created"],
    ["dashboard.closed", summary.closed, "figure-closed"],
    ["dashboard.reopened", summary.reopened, "figure-reopened"],
  ];
  return (
    <section className="dashboard-figures">
      {counts.map(([label, value, testId]) => (
        <div className="dashboard-figure" key={label}>
          <span>{t(label)}</span>
          <strong data-testid={testId}>{formatNumber(language, value)}</strong>
        </div>
      ))}
      <SpreadFigure label={t("dashboard.waiting")} spread={summary.waiting} testId="figure-waiting" />
      <SpreadFigure label={t("dashboard.firstResponse")} spread={summary.first_response} testId="figure-first-response" />
      <SpreadFigure label={t("dashboard.resolution")} spread={summary.resolution} testId="figure-resolution" />
      <div className="dashboard-figure" data-testid="figure-csat">
        <span>{t("dashboard.csat")}</span>
        <strong>{formatNumber(language, summary.csat.average, 1)}</strong>
        <small>{summary.csat.count ? t("dashboard.ratings", { count: summary.csat.count }) : t("dashboard.noRatings")}</small>
      </div>
    </section>
  );
}

function PeriodReports({ query }: { query: FiguresQuery }) {
  const i18n = useI18n();
  const { t } = i18n;
  const summary = useQuery({ queryKey: [...keys.reports, "summary", query], queryFn: () => reports.summary(query) });
  const agents = useQuery({ queryKey: [...keys.reports, "agents", query], queryFn: () => reports.agents(query) });
  const heatmap = useQuery({ queryKey: [...keys.reports, "heatmap", query], queryFn: () => reports.heatmap(query) });
  const queues = useQuery({ queryKey: [...keys.reports, "queues", query], queryFn: () => reports.queues(query) });
  const connections = useQuery({
    queryKey: [...keys.reports, "connections", query],
    queryFn: () => reports.connections(query),
  });
  if (summary.error) return <p className="form-error">{errorMessage(summary.error, i18n)}</p>;
  if (!summary.data || !agents.data || !heatmap.data || !queues.data || !connections.data) {
    return <Spinner label={t("common.loading")} />;
  }
  return (
    <>
      <Figures summary={summary.data} />
      <div className="dashboard-grid">
        <VolumeChart days={summary.data.by_day} />
        <AgentsChart rows={agents.data} />
        <HeatmapTable cells={heatmap.data.cells} />
        <GroupTable
          title={t("dashboard.perQueue")}
          nameHeader={t("dashboard.queue")}
          testId="table-queues"
          rows={queues.data.map((row) => ({
            key: row.queue_id ?? "none",
            name: row.name ?? t("dashboard.noQueue"),
            figures: row,
            timeInQueue: row.time_in_queue,
          }))}
        />
        <GroupTable
          title={t("dashboard.perConnection")}
          nameHeader={t("dashboard.connection")}
          testId="table-connections"
          rows={connections.data.map((row) => ({ key: row.connection_id, name: row.name, figures: row }))}
        />
      </div>
      <TicketReport query={query} />
    </>
  );
}

export default function DashboardPage() {
  const { t } = useI18n();
  return (
    <div className="page dashboard" data-testid="dashboard-page">
      <header className="page-header">
        <h1>{t("dashboard.title")}</h1>
        <NowFigures />
      </header>
      <AgentsNow />
      <PeriodsEndingToday />
    </div>
  );
}

// Periods end on the workspace's today, which the server counts in its time zone, not the browser's.
function PeriodsEndingToday() {
  const i18n = useI18n();
  const now = useNow();
  if (now.error) return <p className="form-error">{errorMessage(now.error, i18n)}</p>;
  if (!now.data) return <Spinner label={i18n.t("common.loading")} />;
  return <Periods today={now.data.today} />;
}

function Periods({ today }: { today: string }) {
  const i18n = useI18n();
  const [choice, setChoice] = useState<PeriodChoice>("7d");
  const [custom, setCustom] = useState<Period>({ start: today, end: today });
  const [hours, setHours] = useState<ReportHours>("all");
  const period = periodFor(choice, today, custom);
  const query: FiguresQuery = { ...period, hours };
  // Asked only to word a bad custom period field by field; the reports show the same error otherwise.
  const check = useQuery({
    queryKey: [...keys.reports, "summary", query],
    queryFn: () => reports.summary(query),
    enabled: choice === "custom",
  });
  return (
    <>
      <div className="dashboard-controls">
        <PeriodPicker choice={choice} custom={custom} onChoice={setChoice} onCustom={setCustom} errors={fieldErrors(check.error, i18n)} />
        <BusinessHoursToggle hours={hours} onChange={setHours} />
      </div>
      <PeriodReports query={query} />
    </>
  );
}
