// "Mensagens não processadas": inbound events ingest could not take, for an administrator to retry or discard.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { deadLetters } from "../api/endpoints";
import { keys } from "../api/queries";
import type { DeadLetter } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";
import { dictionaries, type MessageKey } from "../i18n/translate";
import { ConfirmDialog } from "../ui/ConfirmDialog";
import { errorMessage } from "../ui/errors";
import { Spinner } from "../ui/Spinner";

function kindLabel(kind: string, t: (key: MessageKey) => string): string {
  const key = `deadLetters.kind.${kind}`;
  return key in dictionaries["pt-BR"] ? t(key as MessageKey) : kind;
}

function DeadLetterRow({ item, onDiscard }: { item: DeadLetter; onDiscard: (item: DeadLetter) => void }) {
  const i18n = useI18n();
  const { t, formatDate } = i18n;
  const client = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setOutcome(null);
    try {
      const result = await deadLetters.retry(item.id);
      setOutcome(result.stored ? t("deadLetters.stored") : t("deadLetters.failedAgain", { error: result.dead_letter?.error ?? "" }));
      await client.invalidateQueries({ queryKey: keys.deadLetters });
    } catch (caught) {
      setOutcome(errorMessage(caught, i18n));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-testid="dead-letter-row" data-id={item.id}>
      <td>{formatDate(item.created_at)}</td>
      <td>
        <strong>{kindLabel(item.kind, t)}</strong>
        <div className="pre-line">{item.summary}</div>
      </td>
      <td>
        <code className="pre-line">{item.error}</code>
        {outcome && (
          <p className="field-hint" role="status" data-testid="dead-letter-outcome">
            {outcome}
          </p>
        )}
      </td>
      <td>{item.attempts}</td>
      <td className="actions-col">
        <button type="button" className="button ghost" disabled={busy} onClick={() => void retry()} data-testid="dead-letter-retry">
          {t("deadLetters.retry")}
        </button>
        <button type="button" className="button ghost danger-text" disabled={busy} onClick={() => onDiscard(item)} data-testid="dead-letter-discard">
          {t("deadLetters.discard")}
        </button>
      </td>
    </tr>
  );
}

export default function DeadLettersPage() {
  const i18n = useI18n();
  const { t } = i18n;
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.deadLetters, queryFn: deadLetters.list });
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  return (
    <div className="page" data-testid="dead-letters-page">
      <header className="page-header">
        <h1>{t("deadLetters.title")}</h1>
      </header>
      <p className="field-hint">{t("deadLetters.intro")}</p>
      {list.error ? (
        <p className="form-error">{errorMessage(list.error, i18n)}</p>
      ) : !list.data ? (
        <Spinner label={t("common.loading")} />
      ) : list.data.length === 0 ? (
        <p className="page-empty">{t("common.empty")}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>{t("deadLetters.received")}</th>
                <th>{t("deadLetters.content")}</th>
                <th>{t("deadLetters.error")}</th>
                <th>{t("deadLetters.attempts")}</th>
                <th className="actions-col">{t("common.actions")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((item) => (
                <DeadLetterRow key={item.id} item={item} onDiscard={setDiscarding} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {discarding && (
        <ConfirmDialog
          title={t("deadLetters.discard")}
          message={t("deadLetters.confirmDiscard")}
          confirmLabel={t("deadLetters.discard")}
          danger
          onConfirm={() => deadLetters.discard(discarding.id).then(() => client.invalidateQueries({ queryKey: keys.deadLetters }))}
          onClose={() => setDiscarding(null)}
        />
      )}
    </div>
  );
}
