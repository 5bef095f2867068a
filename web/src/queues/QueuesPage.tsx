import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { queues } from "../api/endpoints";
import { keys, useQueues } from "../api/queries";
import type { Queue, QueueInput } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { CrudPage } from "../ui/CrudPage";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";
import { WeekEditor } from "../connections/WeekEditor";
import { OptionsEditor } from "./OptionsEditor";

function QueueForm({ queue, onClose }: { queue: Queue | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState<QueueInput>({
    name: queue?.name ?? "",
    color: queue?.color ?? "#6366f1",
    greeting_message: queue?.greeting_message ?? "",
    description: queue?.description ?? "",
    options: queue?.options ?? [],
    hours: queue?.hours ?? null,
    ...(queue ? { order: queue.order } : {}),
  });
  const others = (useQueues().data ?? []).filter((other) => other.id !== queue?.id);
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      const body = { ...form, greeting_message: form.greeting_message || null, description: form.description || null };
      await (queue ? queues.update(queue.id, body) : queues.create(body));
      await client.invalidateQueries({ queryKey: keys.queues });
      onClose();
    });
  return (
    <FormDialog title={t(queue ? "queues.edit" : "queues.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("common.name")} error={errors.name}>
        {(p) => <input {...p} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="queue-name" />}
      </Field>
      <Field label={t("queues.color")} error={errors.color}>
        {(p) => <input {...p} type="color" value={form.color} onChange={(e) => setForm({ ...form, color: e.target.value })} />}
      </Field>
      <Field label={t("queues.greeting")} error={errors.greeting_message}>
        {(p) => <textarea {...p} rows={3} value={form.greeting_message ?? ""} onChange={(e) => setForm({ ...form, greeting_message: e.target.value })} />}
      </Field>
      <Field label={t("queues.order")} error={errors.order} hint={t("queues.orderHint")}>
        {(p) => (
          <input {...p} type="number" min={1} max={99} value={form.order ?? ""} onChange={(e) => setForm({ ...form, order: e.target.value ? Number(e.target.value) : null })} data-testid="queue-order" />
        )}
      </Field>
      <Field label={t("queues.description")} error={errors.description}>
        {(p) => <input {...p} value={form.description ?? ""} maxLength={120} onChange={(e) => setForm({ ...form, description: e.target.value })} data-testid="queue-description" />}
      </Field>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={form.hours != null}
          onChange={(e) => setForm({ ...form, hours: e.target.checked ? { days: {}, message: null } : null })}
          data-testid="queue-own-hours"
        />
        {t("queues.ownHours")}
      </label>
      {form.hours != null && (
        <fieldset className="field" data-testid="queue-hours">
          <small className="field-hint">{t("queues.ownHoursHint")}</small>
          <WeekEditor value={form.hours.days} onChange={(days) => setForm({ ...form, hours: { ...form.hours, days } })} errors={errors} testId="queue-hours" />
          <Field label={t("queues.outOfHours")} error={errors.message}>
            {(p) => (
              <textarea {...p} rows={2} value={form.hours?.message ?? ""} onChange={(e) => setForm({ ...form, hours: { ...form.hours, message: e.target.value || null } })} data-testid="queue-hours-message" />
            )}
          </Field>
        </fieldset>
      )}
      <OptionsEditor value={form.options ?? []} onChange={(options) => setForm({ ...form, options })} queues={others} error={errors.options ?? errors.answer ?? errors.label} />
    </FormDialog>
  );
}

export default function QueuesPage() {
  const list = useQueues();
  const client = useQueryClient();
  return (
    <CrudPage<Queue>
      title="queues.title"
      newLabel="queues.new"
      testId="queues-page"
      items={list.data}
      error={list.error}
      nameOf={(queue) => queue.name}
      columns={[
        { header: "common.name", cell: (queue) => <span className="tag" style={{ background: queue.color, color: "#fff" }}>{queue.name}</span> },
        { header: "queues.order", cell: (queue) => queue.order },
        { header: "queues.greeting", cell: (queue) => queue.greeting_message ?? "—" },
      ]}
      renderForm={(queue, close) => <QueueForm queue={queue} onClose={close} />}
      remove={(queue) => queues.remove(queue.id).then(() => client.invalidateQueries({ queryKey: keys.queues }))}
    />
  );
}
