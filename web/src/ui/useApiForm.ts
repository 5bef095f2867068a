// Submitting a form to the API: busy flag, field errors next to fields, anything else at the form's foot.
import { useState } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { errorMessage, fieldErrors } from "./errors";

export function useApiForm() {
  const i18n = useI18n();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);

  async function submit(work: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      await work();
      return true;
    } catch (error) {
      const fields = fieldErrors(error, i18n);
      setErrors(fields);
      if (Object.keys(fields).length === 0) setFormError(errorMessage(error, i18n));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, errors, formError, submit };
}
