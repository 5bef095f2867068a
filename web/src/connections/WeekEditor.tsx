// A week of business hours, one line per weekday as people write them ("08:00-12:00, 13:30-18:00"): the
// connection's schedule and a queue's own.
import { useState } from "react";
import type { WeeklyHours } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import type { MessageKey } from "../i18n/translate";
import { Field } from "../ui/Field";
import { intervalsText, parseIntervals, WEEKDAYS, type Weekday } from "./weeklyHours";

interface WeekEditorProps {
  value: WeeklyHours | undefined;
  onChange: (days: WeeklyHours) => void;
  errors: Record<string, string>;
  /** Each line's test id is `${testId}-mon` and so on. */
  testId: string;
}

export function WeekEditor({ value, onChange, errors, testId }: WeekEditorProps) {
  const { t } = useI18n();
  const days = value ?? {};
  // The lines as typed: parsed on every change, but not rewritten while someone is typing them.
  const [dayText, setDayText] = useState<Record<Weekday, string>>(
    () => Object.fromEntries(WEEKDAYS.map((day) => [day, intervalsText(days[day])])) as Record<Weekday, string>,
  );
  const setDay = (day: Weekday, text: string) => {
    setDayText((old) => ({ ...old, [day]: text }));
    onChange({ ...days, [day]: parseIntervals(text) });
  };
  return (
    <>
      {WEEKDAYS.map((day) => (
        <Field key={day} label={t(`automation.day.${day}` as MessageKey)} error={errors[day]}>
          {(props) => <input {...props} value={dayText[day]} placeholder="08:00-12:00, 13:30-18:00" onChange={(e) => setDay(day, e.target.value)} data-testid={`${testId}-${day}`} />}
        </Field>
      ))}
    </>
  );
}
