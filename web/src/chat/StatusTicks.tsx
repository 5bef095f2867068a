import type { MessageStatus } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";

const GLYPH: Record<MessageStatus, string> = { pending: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };

export function StatusTicks({ status }: { status: MessageStatus }) {
  const { t } = useI18n();
  return (
    <span className={`ticks ticks-${status}`} data-testid="message-ticks" data-status={status} title={t(`chat.status.${status}`)}>
      <span aria-hidden="true">{GLYPH[status]}</span>
      <span className="visually-hidden">{t(`chat.status.${status}`)}</span>
    </span>
  );
}
