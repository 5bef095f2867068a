// The ticket report's filters: the ticket list's (search, status, queue, connection, tag) plus agent and rating.
import type { TicketReportQuery } from "../api/endpoints";
import { useConnections, useDirectory, useQueues, useTags } from "../api/queries";
import type { TicketStatus } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";

export type TicketFilters = Pick<TicketReportQuery, "status" | "queue_id" | "connection_id" | "user_id" | "tag" | "rating" | "search">;

const STATUSES: TicketStatus[] = ["pending", "open", "closed"];
const RATINGS = [5, 4, 3, 2, 1];

interface Option {
  value: string | number;
  label: string;
}

/** A select whose empty choice means "any"; `testId` names it for the browser tests. */
function FilterSelect({ label, value, options, onChange, testId }: {
  label: string;
  value: string | number | null | undefined;
  options: Option[];
  onChange: (value: string | null) => void;
  testId: string;
}) {
  return (
    <select aria-label={label} value={value ?? ""} data-testid={testId} onChange={(e) => onChange(e.target.value || null)}>
      <option value="">{label}</option>
      {options.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

const asNumber = (value: string | null) => (value === null ? null : Number(value));

export function ReportFilters({ filters, onChange, errors }: {
  filters: TicketFilters;
  onChange: (filters: TicketFilters) => void;
  errors: Record<string, string>;
}) {
  const { t } = useI18n();
  const me = useMe();
  const queues = useQueues().data ?? [];
  const connections = useConnections().data ?? [];
  const tags = useTags().data ?? [];
  const people = useDirectory().data ?? [];
  const set = (change: Partial<TicketFilters>) => onChange({ ...filters, ...change });
  return (
    <div className="report-filters" role="group" aria-label={t("dashboard.filters")}>
      <input
        type="search"
        maxLength={200}
        placeholder={t("tickets.search")}
        aria-label={t("tickets.search")}
        value={filters.search ?? ""}
        data-testid="report-search"
        onChange={(e) => set({ search: e.target.value || null })}
      />
      <FilterSelect
        label={t("dashboard.allStatuses")}
        value={filters.status}
        testId="report-status"
        options={STATUSES.map((status) => ({ value: status, label: t(`tickets.status.${status}`) }))}
        onChange={(value) => set({ status: value as TicketStatus | null })}
      />
      <FilterSelect
        label={t("tickets.allQueues")}
        value={filters.queue_id}
        testId="report-queue"
        options={queues.map((queue) => ({ value: queue.id, label: queue.name }))}
        onChange={(value) => set({ queue_id: asNumber(value) })}
      />
      <FilterSelect
        label={t("tickets.allConnections")}
        value={filters.connection_id}
        testId="report-connection"
        options={connections.map((connection) => ({ value: connection.id, label: connection.name }))}
        onChange={(value) => set({ connection_id: asNumber(value) })}
      />
      {me.role === "admin" && (
        <FilterSelect
          label={t("dashboard.allAgents")}
          value={filters.user_id}
          testId="report-agent"
          options={people.map((person) => ({ value: person.id, label: person.name }))}
          onChange={(value) => set({ user_id: asNumber(value) })}
        />
      )}
      <FilterSelect
        label={t("tags.all")}
        value={filters.tag}
        testId="report-tag"
        options={tags.map((tag) => ({ value: tag.id, label: tag.name }))}
        onChange={(value) => set({ tag: asNumber(value) })}
      />
      <FilterSelect
        label={t("dashboard.anyRating")}
        value={filters.rating}
        testId="report-rating"
        options={RATINGS.map((rating) => ({ value: rating, label: t("dashboard.ratingOf", { rating }) }))}
        onChange={(value) => set({ rating: asNumber(value) })}
      />
      {Object.entries(errors).map(([field, message]) => (
        <p key={field} className="form-error" role="alert" data-testid="report-filter-error">
          {message}
        </p>
      ))}
    </div>
  );
}
