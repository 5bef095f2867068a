// Choosing which WhatsApp number a conversation goes out on (starting one, forwarding into one).
import type { Connection } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { Field } from "../ui/Field";

interface ConnectionSelectProps {
  connections: Connection[];
  value: number | null;
  onChange: (id: number | null) => void;
  error: string | undefined;
  /** Offered first, as "no choice" (`null`): e.g. the connection the message came in on. */
  emptyLabel?: string;
  testId?: string;
}

export function ConnectionSelect({ connections, value, onChange, error, emptyLabel, testId }: ConnectionSelectProps) {
  const { t } = useI18n();
  return (
    <Field label={t("contacts.chooseConnection")} error={error}>
      {(p) => (
        <select {...p} value={value ?? ""} onChange={(e) => onChange(e.target.value ? Number(e.target.value) : null)} data-testid={testId}>
          {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
          {connections.map((connection) => (
            <option key={connection.id} value={connection.id}>
              {connection.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
