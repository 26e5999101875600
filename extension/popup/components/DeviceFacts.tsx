import { t } from '../../lib/i18n.js';
import type { DeviceFact } from '../../lib/popup-view.js';

/**
 * Who and where the device is. The value cell holds only the value (and the edge's health when it
 * is not ok); the network's criteria checks and the edge's reason sit in a second, full-width cell.
 */
export function DeviceFacts({ facts }: { facts: readonly DeviceFact[] }) {
  return (
    <dl class="facts">
      {facts.map((fact) => (
        <div class="fact" key={fact.id}>
          <dt>{t(fact.label)}</dt>
          <dd data-testid={`fact-${fact.id}`}>
            {'key' in fact.value ? t(fact.value.key, ...fact.value.subs) : fact.value.verbatim}
            {fact.health && (
              <span class={`health health-${fact.health.state}`} data-testid="edge-health" data-health={fact.health.state}>
                {t(fact.health.label)}
              </span>
            )}
          </dd>
          {(fact.checks || fact.note !== undefined) && (
            <dd class="fact-more">
              {fact.note !== undefined && (
                <p class="muted" data-testid="edge-reason">
                  {fact.note}
                </p>
              )}
              {fact.checks && <Checks checks={fact.checks} />}
            </dd>
          )}
        </div>
      ))}
    </dl>
  );
}

function Checks({ checks }: { checks: NonNullable<DeviceFact['checks']> }) {
  return (
    <details class="checks" data-testid="network-checks">
      <summary>{t(checks.summary.key, ...checks.summary.subs)}</summary>
      <ul>
        {checks.list.map((check, index) => (
          <li key={index} class={check.met ? 'check met' : 'check not-met'} data-met={String(check.met)}>
            <span class="check-mark" aria-hidden="true">
              {check.met ? '✓' : '✗'}
            </span>
            <span>
              <strong>{t(check.criterion)}</strong> — {check.met ? t('checkMet') : t('checkNotMet')}
              <br />
              <span class="muted">{check.detail}</span>
            </span>
          </li>
        ))}
      </ul>
    </details>
  );
}
