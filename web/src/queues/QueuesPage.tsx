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

function QueueForm({ queue, onClose }: { queue: Queue | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState<QueueInput>({
    name: queue?.name ?? "",
    color: queue?.color ?? "#6366f1",
    greeting_message: queue?.greeting_message ?? "",
  });
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      const body = { ...form, greeting_message: form.greeting_message || null };
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
        { header: "queues.greeting", cell: (queue) => queue.greeting_message ?? "—" },
      ]}
      renderForm={(queue, close) => <QueueForm queue={queue} onClose={close} />}
      remove={(queue) => queues.remove(queue.id).then(() => client.invalidateQueries({ queryKey: keys.queues }))}
    />
  );
}
