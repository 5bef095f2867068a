import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { users } from "../api/endpoints";
import { keys, useQueues } from "../api/queries";
import type { Role, User, UserInput } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { PresenceBadge } from "../presence/PresenceBadge";
import { usePresence } from "../presence/presence";
import { CrudPage } from "../ui/CrudPage";
import { Field } from "../ui/Field";
import { FormDialog } from "../ui/FormDialog";
import { QueuePicker } from "../ui/QueuePicker";
import { useApiForm } from "../ui/useApiForm";

function UserForm({ user, onClose }: { user: User | null; onClose: () => void }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const queues = useQueues().data ?? [];
  const [form, setForm] = useState<Required<UserInput>>({
    name: user?.name ?? "",
    email: user?.email ?? "",
    role: user?.role ?? "agent",
    queue_ids: user?.queue_ids ?? [],
    password: "",
    signature: user?.signature ?? true,
  });
  const { busy, errors, formError, submit } = useApiForm();
  const save = () =>
    void submit(async () => {
      const { password, ...rest } = form;
      await (user ? users.update(user.id, password ? form : rest) : users.create(form));
      await client.invalidateQueries({ queryKey: keys.users });
      await client.invalidateQueries({ queryKey: keys.directory });
      onClose();
    });
  return (
    <FormDialog title={t(user ? "users.edit" : "users.new")} busy={busy} formError={formError} onSubmit={save} onClose={onClose}>
      <Field label={t("common.name")} error={errors.name}>
        {(p) => <input {...p} autoFocus value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="user-name" />}
      </Field>
      <Field label={t("users.email")} error={errors.email}>
        {(p) => <input {...p} type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} data-testid="user-email" />}
      </Field>
      <Field label={t("users.password")} error={errors.password} {...(user ? { hint: t("users.passwordKeep") } : {})}>
        {(p) => <input {...p} type="password" autoComplete="new-password" value={form.password ?? ""} onChange={(e) => setForm({ ...form, password: e.target.value })} data-testid="user-password" />}
      </Field>
      <Field label={t("users.role")} error={errors.role}>
        {(p) => (
          <select {...p} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} data-testid="user-role">
            <option value="agent">{t("users.role.agent")}</option>
            <option value="admin">{t("users.role.admin")}</option>
          </select>
        )}
      </Field>
      <label className="checkbox">
        <input type="checkbox" checked={form.signature} onChange={(e) => setForm({ ...form, signature: e.target.checked })} data-testid="user-signature" />
        {t("users.signature")}
      </label>
      <fieldset className="field">
        <legend>{t("users.queues")}</legend>
        <QueuePicker queues={queues} value={form.queue_ids} onChange={(ids) => setForm({ ...form, queue_ids: ids })} />
        {errors.queue_ids && <small className="field-error">{errors.queue_ids}</small>}
      </fieldset>
    </FormDialog>
  );
}

export default function UsersPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.users, queryFn: users.list });
  const queues = useQueues().data ?? [];
  const presenceOf = usePresence();
  return (
    <CrudPage<User>
      title="users.title"
      newLabel="users.new"
      testId="users-page"
      items={list.data}
      error={list.error}
      nameOf={(user) => user.name}
      columns={[
        { header: "common.name", cell: (user) => user.name },
        { header: "users.email", cell: (user) => user.email },
        { header: "users.role", cell: (user) => t(`users.role.${user.role}`) },
        { header: "users.presence", cell: (user) => <PresenceBadge state={presenceOf(user.id)} /> },
        {
          header: "users.queues",
          cell: (user) =>
            queues
              .filter((queue) => user.queue_ids.includes(queue.id))
              .map((queue) => queue.name)
              .join(", ") || "—",
        },
      ]}
      renderForm={(user, close) => <UserForm user={user} onClose={close} />}
      remove={(user) => users.remove(user.id).then(() => client.invalidateQueries({ queryKey: keys.users }))}
    />
  );
}
