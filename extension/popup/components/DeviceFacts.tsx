import { t } from '../../lib/i18n.js';
import type { DeviceFact } from '../../lib/popup-view.js';

export function DeviceFacts({ facts }: { facts: readonly DeviceFact[] }) {
  return (
    <dl class="facts">
      {facts.map((fact) => (
        <div class="fact" key={fact.id}>
          <dt>{t(fact.label)}</dt>
          <dd data-testid={`fact-${fact.id}`}>{'key' in fact.value ? t(fact.value.key, ...fact.value.subs) : fact.value.verbatim}</dd>
        </div>
      ))}
    </dl>
  );
}
