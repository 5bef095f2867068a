import type { MessageStatus } from "../api/types";
import { Icon, type IconName } from "../ui/Icon";
import { useI18n } from "../i18n/I18nProvider";

const GLYPH: Record<MessageStatus, IconName> = { pending: "clock", sent: "check", delivered: "checks", read: "checks", failed: "alert" };

export function StatusTicks({ status }: { status: MessageStatus }) {
  const { t } = useI18n();
  return (
    <span className={`ticks ticks-${status}`} data-testid="message-ticks" data-status={status} title={t(`chat.status.${status}`)}>
      <Icon name={GLYPH[status]} size={16} />
      <span className="visually-hidden">{t(`chat.status.${status}`)}</span>
    </span>
  );
}
