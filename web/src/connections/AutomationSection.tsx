// The connection form's automation sections: Menu (with a live preview of what the customer reads), Horários,
// Mensagens automáticas and Pesquisa de satisfação. Everything is saved with the connection, as one document.
import { useQuery } from "@tanstack/react-query";
import { automation } from "../api/endpoints";
import type { Automation, Queue } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";
import { ExceptionsEditor } from "./ExceptionsEditor";
import { WeekEditor } from "./WeekEditor";

interface AutomationSectionProps {
  value: Automation;
  onChange: (value: Automation) => void;
  greeting: string;
  queues: Queue[];
  errors: Record<string, string>;
}

function MenuPreview({ greeting, queueIds }: { greeting: string; queueIds: number[] }) {
  const { t } = useI18n();
  const preview = useQuery({
    queryKey: ["menu-preview", greeting, queueIds],
    queryFn: () => automation.menuPreview({ greeting_message: greeting || null, queue_ids: queueIds }),
    placeholderData: (previous) => previous,
    staleTime: 60_000,
  });
  return (
    <div className="field">
      <span className="field-label">{t("automation.preview")}</span>
      <div className="bubble bubble-out pre-line" data-testid="menu-preview">
        {preview.data?.text ?? "…"}
      </div>
    </div>
  );
}

export function AutomationSection({ value, onChange, greeting, queues, errors }: AutomationSectionProps) {
  const { t } = useI18n();
  const menu = value.menu ?? {};
  const hours = value.hours ?? {};
  const messages = value.messages ?? {};
  const timers = value.timers ?? {};
  const survey = value.survey ?? {};
  const orEmpty = (text: string) => (text.trim() ? text : null);
  const minutes = (text: string) => (text === "" ? null : Number(text));

  return (
    <>
      <fieldset className="field" data-testid="automation-menu">
        <legend>{t("automation.menu")}</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={menu.enabled ?? false}
            onChange={(e) => onChange({ ...value, menu: { ...menu, enabled: e.target.checked } })}
            data-testid="menu-enabled"
          />
          {t("automation.menuEnabled")}
        </label>
        {menu.enabled && (
          <>
            <Field label={t("automation.invalidMessage")} error={errors.invalid_message}>
              {(props) => (
                <input {...props} value={menu.invalid_message ?? ""} onChange={(e) => onChange({ ...value, menu: { ...menu, invalid_message: e.target.value } })} />
              )}
            </Field>
            <Field label={t("automation.maxTries")} error={errors.max_tries}>
              {(props) => (
                <input {...props} type="number" min={1} max={10} value={menu.max_tries ?? 3} onChange={(e) => onChange({ ...value, menu: { ...menu, max_tries: Number(e.target.value) } })} />
              )}
            </Field>
            <Field label={t("automation.fallback")} error={errors.fallback_queue_id}>
              {(props) => (
                <select
                  {...props}
                  value={menu.fallback_queue_id ?? ""}
                  onChange={(e) => onChange({ ...value, menu: { ...menu, fallback_queue_id: e.target.value ? Number(e.target.value) : null } })}
                  data-testid="menu-fallback"
                >
                  <option value="">{t("tickets.noQueue")}</option>
                  {queues.map((queue) => (
                    <option key={queue.id} value={queue.id}>
                      {queue.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <MenuPreview greeting={greeting} queueIds={queues.map((queue) => queue.id)} />
          </>
        )}
      </fieldset>

      <fieldset className="field" data-testid="automation-hours">
        <legend>{t("automation.hours")}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={hours.enabled ?? false} onChange={(e) => onChange({ ...value, hours: { ...hours, enabled: e.target.checked } })} data-testid="hours-enabled" />
          {t("automation.hoursEnabled")}
        </label>
        {hours.enabled && (
          <>
            <small className="field-hint">{t("automation.hoursHint")}</small>
            <WeekEditor value={hours.days} onChange={(days) => onChange({ ...value, hours: { ...hours, days } })} errors={errors} testId="hours" />
            <ExceptionsEditor
              value={hours.exceptions ?? []}
              onChange={(exceptions) => onChange({ ...value, hours: { ...hours, exceptions } })}
              error={errors.exceptions ?? errors.intervals ?? errors.date ?? errors.label}
            />
            <Field label={t("automation.outOfHours")} error={errors.message}>
              {(props) => <textarea {...props} rows={2} value={hours.message ?? ""} onChange={(e) => onChange({ ...value, hours: { ...hours, message: e.target.value } })} />}
            </Field>
          </>
        )}
      </fieldset>

      <fieldset className="field" data-testid="automation-messages">
        <legend>{t("automation.messages")}</legend>
        <Field label={t("automation.onAccept")} error={errors.accept} hint={t("automation.onAcceptHint")}>
          {(props) => (
            <input {...props} value={messages.accept ?? ""} onChange={(e) => onChange({ ...value, messages: { ...messages, accept: orEmpty(e.target.value) } })} data-testid="message-accept" />
          )}
        </Field>
        <Field label={t("automation.onTransfer")} error={errors.transfer} hint={t("automation.onTransferHint")}>
          {(props) => <input {...props} value={messages.transfer ?? ""} onChange={(e) => onChange({ ...value, messages: { ...messages, transfer: orEmpty(e.target.value) } })} />}
        </Field>
        <Field label={t("automation.closeAfter")} error={errors.close_after_minutes}>
          {(props) => (
            <input {...props} type="number" min={1} value={timers.close_after_minutes ?? ""} onChange={(e) => onChange({ ...value, timers: { ...timers, close_after_minutes: minutes(e.target.value) } })} />
          )}
        </Field>
        <Field label={t("automation.closeMessage")} error={errors.close_message}>
          {(props) => <input {...props} value={timers.close_message ?? ""} onChange={(e) => onChange({ ...value, timers: { ...timers, close_message: orEmpty(e.target.value) } })} />}
        </Field>
        <Field label={t("automation.pendingAfter")} error={errors.pending_after_minutes}>
          {(props) => (
            <input {...props} type="number" min={1} value={timers.pending_after_minutes ?? ""} onChange={(e) => onChange({ ...value, timers: { ...timers, pending_after_minutes: minutes(e.target.value) } })} />
          )}
        </Field>
      </fieldset>

      <fieldset className="field" data-testid="automation-survey">
        <legend>{t("automation.survey")}</legend>
        <label className="checkbox">
          <input type="checkbox" checked={survey.enabled ?? false} onChange={(e) => onChange({ ...value, survey: { ...survey, enabled: e.target.checked } })} data-testid="survey-enabled" />
          {t("automation.surveyEnabled")}
        </label>
        {survey.enabled && (
          <Field label={t("automation.surveyQuestion")} error={errors.question}>
            {(props) => <input {...props} value={survey.question ?? ""} onChange={(e) => onChange({ ...value, survey: { ...survey, question: e.target.value } })} />}
          </Field>
        )}
      </fieldset>
    </>
  );
}
