// A queue's sub-options in the menu: each a number and a label, answering with a text or leading to a queue.
import type { Queue, QueueOption } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";

interface OptionsEditorProps {
  value: QueueOption[];
  onChange: (options: QueueOption[]) => void;
  queues: Queue[];
  error?: string | undefined;
}

export function OptionsEditor({ value, onChange, queues, error }: OptionsEditorProps) {
  const { t } = useI18n();
  const change = (index: number, option: QueueOption) => onChange(value.map((old, at) => (at === index ? option : old)));
  const next = Math.max(0, ...value.map((option) => option.number)) + 1;
  return (
    <fieldset className="field" data-testid="queue-options">
      <legend>{t("queues.options")}</legend>
      <small className="field-hint">{t("queues.optionsHint")}</small>
      {value.map((option, index) => (
        <div className="option-row" key={index} data-testid="queue-option">
          <input
            type="number"
            min={1}
            max={99}
            value={option.number}
            aria-label={t("queues.optionNumber")}
            onChange={(e) => change(index, { ...option, number: Number(e.target.value) })}
          />
          <input value={option.label} aria-label={t("queues.optionLabel")} placeholder={t("queues.optionLabel")} onChange={(e) => change(index, { ...option, label: e.target.value })} />
          <select
            value={option.queue_id ?? ""}
            aria-label={t("queues.optionOutcome")}
            onChange={(e) =>
              change(index, e.target.value ? { ...option, queue_id: Number(e.target.value), answer: null } : { ...option, queue_id: null, answer: option.answer ?? "" })
            }
          >
            <option value="">{t("queues.optionAnswers")}</option>
            {queues.map((queue) => (
              <option key={queue.id} value={queue.id}>
                {t("queues.optionLeadsTo", { queue: queue.name })}
              </option>
            ))}
          </select>
          {option.queue_id == null && (
            <input value={option.answer ?? ""} aria-label={t("queues.optionAnswer")} placeholder={t("queues.optionAnswer")} onChange={(e) => change(index, { ...option, answer: e.target.value })} />
          )}
          <button type="button" className="button ghost danger-text" onClick={() => onChange(value.filter((_, at) => at !== index))}>
            {t("common.delete")}
          </button>
        </div>
      ))}
      <button type="button" className="button ghost" onClick={() => onChange([...value, { number: next, label: "", answer: "", queue_id: null }])} data-testid="add-option">
        {t("queues.addOption")}
      </button>
      {error && <small className="field-error">{error}</small>}
    </fieldset>
  );
}
