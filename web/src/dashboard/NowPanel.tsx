// The dashboard's live part: who waits, who is at their desk and what each agent holds open right now.
import { useQuery } from "@tanstack/react-query";
import { reports } from "../api/endpoints";
import { keys } from "../api/queries";
import type { AgentNow } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { PresenceBadge } from "../presence/PresenceBadge";
import { formatDuration, formatNumber } from "./period";

// Refetched whenever a ticket event or a presence change arrives (RealtimeProvider and applyPresence invalidate it).
export function useNow() {
  return useQuery({ queryKey: keys.waitingNow, queryFn: reports.now });
}

export function NowFigures() {
  const { t, language } = useI18n();
  const now = useNow();
  const agents = now.data?.agents;
  const count = (state: AgentNow["presence"]) => agents?.filter((agent) => agent.presence === state).length;
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
      <div className="dashboard-figure">
        <span>{t("dashboard.agentsOnline")}</span>
        <strong data-testid="agents-online">{agents ? formatNumber(language, count("online")) : "…"}</strong>
        <small data-testid="agents-away">{t("dashboard.agentsAway", { count: formatNumber(language, count("away")) })}</small>
      </div>
    </section>
  );
}

/** Each agent holding tickets open or at their desk: their presence and how many tickets they hold open. */
export function AgentsNow() {
  const { t, language } = useI18n();
  const agents = useNow().data?.agents;
  if (!agents) return null;
  return (
    <section className="dashboard-card dashboard-wide" data-testid="agents-now">
      <h2>{t("dashboard.agentsNow")}</h2>
      {agents.length === 0 ? (
        <p className="page-empty">{t("dashboard.nobodyNow")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t("dashboard.agent")}</th>
                <th>{t("dashboard.presence")}</th>
                <th>{t("dashboard.openNow")}</th>
              </tr>
            </thead>
            <tbody>
              {agents.map((agent) => (
                <tr key={agent.user_id} data-testid="agent-now-row" data-name={agent.name}>
                  <td>{agent.name}</td>
                  <td>
                    <PresenceBadge state={agent.presence} />
                  </td>
                  <td data-testid="agent-open">{formatNumber(language, agent.open)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
