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
import { ListTable } from "../ui/ListTable";

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
      <td data-label={t("deadLetters.received")}>{formatDate(item.created_at)}</td>
      <td data-label={t("deadLetters.content")}>
        <strong>{kindLabel(item.kind, t)}</strong>
        <div className="pre-line">{item.summary}</div>
      </td>
      <td data-label={t("deadLetters.error")}>
        <code className="pre-line">{item.error}</code>
        {outcome && (
          <p className="field-hint" role="status" data-testid="dead-letter-outcome">
            {outcome}
          </p>
        )}
      </td>
      <td data-label={t("deadLetters.attempts")}>{item.attempts}</td>
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
  const { t } = useI18n();
  const client = useQueryClient();
  const list = useQuery({ queryKey: keys.deadLetters, queryFn: deadLetters.list });
  const [discarding, setDiscarding] = useState<DeadLetter | null>(null);
  return (
    <div className="page" data-testid="dead-letters-page">
      <header className="page-header">
        <h1>{t("deadLetters.title")}</h1>
      </header>
      <p className="field-hint">{t("deadLetters.intro")}</p>
      <ListTable
        items={list.data}
        error={list.error}
        headers={["deadLetters.received", "deadLetters.content", "deadLetters.error", "deadLetters.attempts"]}
        row={(item) => <DeadLetterRow key={item.id} item={item} onDiscard={setDiscarding} />}
      />
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
