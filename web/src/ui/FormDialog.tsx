// A modal form: fields, the API's form-level error, Cancel and Save.
import type { FormEvent, ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { Modal } from "./Modal";

interface FormDialogProps {
  title: string;
  busy: boolean;
  formError: string | null;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
  submitLabel?: string;
}

export function FormDialog({ title, busy, formError, onSubmit, onClose, children, submitLabel }: FormDialogProps) {
  const { t } = useI18n();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <Modal title={title} onClose={onClose} testId="form-dialog">
      <form className="form" onSubmit={submit} noValidate>
        {children}
        {formError && (
          <p className="form-error" role="alert" data-testid="form-error">
            {formError}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="button primary" disabled={busy} data-testid="form-submit">
            {submitLabel ?? t("common.save")}
          </button>
        </div>
      </form>
    </Modal>
  );
}
