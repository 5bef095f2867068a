// Holidays and special days: a date, a name, and its intervals instead of the weekday's (empty: closed all day).
import { useState } from "react";
import type { DateException } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { intervalsText, parseIntervals } from "./weeklyHours";

interface ExceptionsEditorProps {
  value: DateException[];
  onChange: (exceptions: DateException[]) => void;
  error?: string | undefined;
}

interface Row {
  date: string;
  label: string;
  hours: string;
}

const toException = (row: Row): DateException => ({ date: row.date, label: row.label, intervals: parseIntervals(row.hours) });

export function ExceptionsEditor({ value, onChange, error }: ExceptionsEditorProps) {
  const { t } = useI18n();
  // The rows as typed; the document is rebuilt from them on every change.
  const [rows, setRows] = useState<Row[]>(() =>
    value.map((exception) => ({ date: exception.date, label: exception.label ?? "", hours: intervalsText(exception.intervals) })),
  );
  const update = (next: Row[]) => {
    setRows(next);
    onChange(next.map(toException));
  };
  const change = (index: number, row: Row) => update(rows.map((old, at) => (at === index ? row : old)));
  return (
    <fieldset className="field" data-testid="hours-exceptions">
      <legend>{t("automation.exceptions")}</legend>
      <small className="field-hint">{t("automation.exceptionsHint")}</small>
      {rows.map((row, index) => (
        <div className="option-row" key={index} data-testid="hours-exception">
          <input type="date" value={row.date} aria-label={t("automation.exceptionDate")} onChange={(e) => change(index, { ...row, date: e.target.value })} data-testid="exception-date" />
          <input value={row.label} aria-label={t("automation.exceptionLabel")} placeholder={t("automation.exceptionLabel")} onChange={(e) => change(index, { ...row, label: e.target.value })} data-testid="exception-label" />
          <input value={row.hours} aria-label={t("automation.exceptionHours")} placeholder={t("automation.exceptionClosed")} onChange={(e) => change(index, { ...row, hours: e.target.value })} data-testid="exception-hours" />
          <button type="button" className="button ghost danger-text" onClick={() => update(rows.filter((_, at) => at !== index))}>
            {t("common.delete")}
          </button>
        </div>
      ))}
      <button type="button" className="button ghost" onClick={() => update([...rows, { date: "", label: "", hours: "" }])} data-testid="add-exception">
        {t("automation.addException")}
      </button>
      {error && (
        <small className="field-error" role="alert" data-testid="field-error">
          {error}
        </small>
      )}
    </fieldset>
  );
}
