import { t } from '../../lib/i18n.js';
import type { LinkView } from '../../lib/link-view.js';
import { Facts } from './Facts.js';
import { InstallHelp } from './InstallHelp.js';
import { RetryButton } from './RetryButton.js';

/**
 * The status card. The live region is always in the DOM (screen readers miss regions that appear
 * together with their content) and holds only what changes with the link; the countdown sits
 * outside it so it is not read out every second.
 */
export function LinkStatus({ view }: { view: LinkView | null }) {
  return (
    <section class={`status tone-${view?.tone ?? 'pending'}`} aria-labelledby={view ? 'link-state' : undefined}>
      <div role="status" aria-live="polite">
        {view && (
          <>
            <h2 id="link-state" class="status-title" data-testid="link-state" data-state={view.state} data-service={view.service}>
              <span class="indicator" aria-hidden="true" />
              {t(view.title)}
            </h2>
            {view.facts.length > 0 && <Facts facts={view.facts} />}
            {view.installHelp && <InstallHelp />}
            {view.reason !== null && (
              <p class={view.installHelp ? 'reason fine-print' : 'reason'} data-testid="reason">
                {view.reason}
              </p>
            )}
          </>
        )}
      </div>
      {view && (view.retry !== null || view.retryNow !== null) && (
        <div class="retry">
          {view.retry !== null && <p class="retry-when">{t(view.retry.key, ...view.retry.subs)}</p>}
          {view.retryNow !== null && <RetryButton label={view.retryNow} />}
        </div>
      )}
    </section>
  );
}
