import type { PresenceState } from "../api/types";
import { useI18n } from "../i18n/I18nProvider";

/** A coloured dot and the word: online, away, offline. */
export function PresenceBadge({ state }: { state: PresenceState }) {
  const { t } = useI18n();
  return (
    <span className={`presence presence-${state}`} data-testid="presence" data-state={state}>
      <span className="presence-dot" aria-hidden="true" />
      {t(`presence.${state}`)}
    </span>
  );
}
