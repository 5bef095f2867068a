import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { quickAnswers } from "../api/endpoints";
import { keys } from "../api/queries";
import type { QuickAnswer, QuickAnswerInput } from "../api/types";
import { useMe } from "../auth/AuthProvider";
import { useI18n } from "../i18n/I18nProvider";
import { CrudPage } from "../ui/CrudPage";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { useApiForm } from "../ui/useApiForm";

function QuickAnswerForm({ answer, onClose }: { answer: QuickAnswer | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [form, setForm] = useState<QuickAnswerInput>({ shortcut: answer?.shortcut ?? "", text: answer?.text ?? "" });
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      await (answer ? quickAnswers.update(answer.id, form) : quickAnswers.create(form));
      await client.invalidateQueries({ queryKey: keys.quickAnswers });
      onClose();
    });
  return (
    <FormDialog title={t(answer ? "quickAnswers.edit" : "quickAnswers.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("quickAnswers.shortcut")} error={errors.shortcut}>
        {(p) => <input {...p} autoFocus value={form.shortcut} placeholder="/ola" onChange={(e) => setForm({ ...form, shortcut: e.target.value })} data-testid="quick-answer-shortcut" />}
      </Field>
      <Field label={t("quickAnswers.text")} error={errors.text}>
        {(p) => <textarea {...p} rows={4} value={form.text} onChange={(e) => setForm({ ...form, text: e.target.value })} data-testid="quick-answer-text" />}
      </Field>
    </FormDialog>
  );
}

export default function QuickAnswersPage() {
  const client = useQueryClient();
  // Everyone uses quick answers; only admins write them (as the API says).
  const admin = useMe().role === "admin";
  const list = useQuery({ queryKey: keys.quickAnswers, queryFn: () => quickAnswers.list() });
  return (
    <CrudPage<QuickAnswer>
      title="quickAnswers.title"
      newLabel="quickAnswers.new"
      testId="quick-answers-page"
      canEdit={admin}
      items={list.data}
      error={list.error}
      nameOf={(answer) => `/${answer.shortcut}`}
      columns={[
        { header: "quickAnswers.shortcut", cell: (answer) => <code>/{answer.shortcut}</code> },
        { header: "quickAnswers.text", cell: (answer) => <span className="pre-line">{answer.text}</span> },
      ]}
      renderForm={(answer, close) => <QuickAnswerForm answer={answer} onClose={close} />}
      remove={(answer) => quickAnswers.remove(answer.id).then(() => client.invalidateQueries({ queryKey: keys.quickAnswers }))}
    />
  );
}
