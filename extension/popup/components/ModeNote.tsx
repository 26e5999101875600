import { t, type MessageKey } from '../../lib/i18n.js';

/** Browser-only mode says what it covers and what installing the Waygate app would add. */
export function ModeNote({ adds }: { adds: readonly MessageKey[] }) {
  return (
    <section class="panel" data-testid="mode-note">
      <p>{t('browserOnlyExplained')}</p>
      <p class="muted">{t('appAddsIntro')}</p>
      <ul class="adds">
        {adds.map((key) => (
          <li key={key}>{t(key)}</li>
        ))}
      </ul>
      <p class="muted" data-testid="explain-needs-app">
        {t('explainNeedsApp')}
      </p>
    </section>
  );
}
