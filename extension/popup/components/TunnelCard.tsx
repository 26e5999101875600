import { browser } from 'wxt/browser';
import { t } from '../../lib/i18n.js';
import { bytesMessage, type TunnelFact, type TunnelPanel } from '../../lib/popup-view.js';

/**
 * The full-device tunnel: its state in words, then where it runs and what it carries. Only the
 * heading and reason sit in the live region; the byte counts change with every status and must
 * not be read out each time.
 */
export function TunnelCard({ tunnel }: { tunnel: TunnelPanel }) {
  const locale = browser.i18n.getUILanguage();
  return (
    <section class={`status tone-${tunnel.tone}`} aria-labelledby="tunnel-state" data-testid="tunnel">
      <div role="status" aria-live="polite">
        <h2 id="tunnel-state" class="status-title" data-testid="tunnel-state" data-state={tunnel.state}>
          <span class="indicator" aria-hidden="true" />
          {t(tunnel.title)}
        </h2>
        {tunnel.reason !== null && (
          <p class="reason" data-testid="tunnel-reason">
            {tunnel.reason}
          </p>
        )}
      </div>
      <dl class="facts">
        {tunnel.facts.map((fact) => (
          <div class={fact.id === 'dropped' ? 'fact fact-warning' : 'fact'} key={fact.id}>
            <dt>{t(fact.label)}</dt>
            <dd data-testid={`tunnel-${fact.id}`}>{valueText(fact.value, locale)}</dd>
            {fact.note !== undefined && (
              <dd class="fact-more muted" data-testid={`tunnel-${fact.id}-note`}>
                {t(fact.note)}
              </dd>
            )}
          </div>
        ))}
      </dl>
    </section>
  );
}

function valueText(value: TunnelFact['value'], locale: string): string {
  if ('verbatim' in value) return value.verbatim;
  if ('key' in value) return t(value.key, ...value.subs);
  if ('count' in value) return new Intl.NumberFormat(locale).format(value.count);
  const sent = bytesMessage(value.sent, locale);
  const received = bytesMessage(value.received, locale);
  return t('tunnelTrafficValue', t(sent.key, ...sent.subs), t(received.key, ...received.subs));
}
