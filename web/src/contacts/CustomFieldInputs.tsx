// One input per custom field an administrator defined, typed as the field is (number, date, e-mail, text).
import { useQuery } from "@tanstack/react-query";
import { contacts } from "../api/endpoints";
import { keys } from "../api/queries";
import type { ContactField } from "../api/types";
import { Field } from "../ui/Field";

const INPUT_TYPES: Record<ContactField["type"], string> = { text: "text", number: "number", date: "date", email: "email" };

export function useContactFields() {
  return useQuery({ queryKey: [...keys.contacts, "fields"], queryFn: contacts.fields, staleTime: 60_000 });
}

interface CustomFieldInputsProps {
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  errors: Record<string, string>;
}

export function CustomFieldInputs({ values, onChange, errors }: CustomFieldInputsProps) {
  const definitions = useContactFields().data ?? [];
  return (
    <>
      {definitions.map((field) => (
        <Field key={field.key} label={field.label} error={errors[field.key] ?? errors.custom_fields}>
          {(p) => (
            <input
              {...p}
              type={INPUT_TYPES[field.type]}
              value={values[field.key] ?? ""}
              onChange={(e) => onChange({ ...values, [field.key]: e.target.value })}
              data-testid={`field-${field.key}`}
            />
          )}
        </Field>
      ))}
    </>
  );
}
