// "Painel": who waits right now (live), and how the team did over a period — figures, charts and the ticket report.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { reports, type ReportQuery } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ReportSpread, ReportSummary } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { errorMessage, fieldErrors } from "../ui/errors";
import { Spinner } from "../ui/Spinner";
import { AgentsChart, HeatmapTable, VolumeChart } from "./charts";
import { formatDuration, formatNumber, localToday, periodFor, type Period, type PeriodChoice } from "./period";
import { TicketReport } from "./TicketReport";

// Days are counted in the workspace's time zone by the server; "today" is taken in the browser's, which agents
// share with their workspace in practice.
const TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const CHOICES: { value: PeriodChoice; label: MessageKey }[] = [
  { value: "today", label: "dashboard.today" },
  { value: "7d", label: "dashboard.last7" },
  { value: "30d", label: "dashboard.last30" },
  { value: "custom", label: "dashboard.custom" },
];

function WaitingNowPanel() {
  const { t, language } = useI18n();
  // Refetched whenever a ticket event arrives (RealtimeProvider invalidates this key).
  const now = useQuery({ queryKey: keys.waitingNow, queryFn: reports.now });
  return (
    <section className="dashboard-now" aria-live="polite">
      <div className="dashboard-figure">
        <span>{t("dashboard.waitingNow")}</span>
        <strong data-testid="waiting-now">{now.data ? formatNumber(language, now.data.count) : "…"}</strong>
      </div>
      <div className="dashboard-figure">
        <span>{t("dashboard.longestWait")}</span>
        <strong data-testid="longest-wait">{formatDuration(now.data?.longest_seconds)}</strong>
      </div>
    </section>
  );
}

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

function PeriodReports({ query }: { query: ReportQuery }) {
  const i18n = useI18n();
  const { t } = i18n;
  const summary = useQuery({ queryKey: [...keys.reports, "summary", query], queryFn: () => reports.summary(query) });
  const agents = useQuery({ queryKey: [...keys.reports, "agents", query], queryFn: () => reports.agents(query) });
  const heatmap = useQuery({ queryKey: [...keys.reports, "heatmap", query], queryFn: () => reports.heatmap(query) });
  if (summary.error) return <p className="form-error">{errorMessage(summary.error, i18n)}</p>;
  if (!summary.data || !agents.data || !heatmap.data) return <Spinner label={t("common.loading")} />;
  return (
    <>
      <Figures summary={summary.data} />
      <div className="dashboard-grid">
        <VolumeChart days={summary.data.by_day} />
        <AgentsChart rows={agents.data} />
        <HeatmapTable cells={heatmap.data.cells} />
      </div>
      <TicketReport query={query} />
    </>
  );
}

export default function DashboardPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const today = localToday(new Date(), TIME_ZONE);
  const [choice, setChoice] = useState<PeriodChoice>("7d");
  const [custom, setCustom] = useState<Period>({ start: today, end: today });
  const period = periodFor(choice, today, custom);
  const query: ReportQuery = { ...period };
  // Asked only to word a bad custom period field by field; the reports show the same error otherwise.
  const check = useQuery({
    queryKey: [...keys.reports, "summary", query],
    queryFn: () => reports.summary(query),
    enabled: choice === "custom",
  });
  return (
    <div className="page dashboard" data-testid="dashboard-page">
      <header className="page-header">
        <h1>{t("dashboard.title")}</h1>
        <WaitingNowPanel />
      </header>
      <PeriodPicker choice={choice} custom={custom} onChoice={setChoice} onCustom={setCustom} errors={fieldErrors(check.error, i18n)} />
      <PeriodReports query={query} />
    </div>
  );
}
