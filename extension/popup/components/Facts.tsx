import { t } from '../../lib/i18n.js';
import type { Fact } from '../../lib/link-view.js';

export function Facts({ facts }: { facts: readonly Fact[] }) {
  return (
    <dl class="facts">
      {facts.map((fact) => (
        <div class="fact" key={fact.id}>
          <dt>{t(fact.label)}</dt>
          <dd data-testid={fact.id}>{'key' in fact.value ? t(fact.value.key) : fact.value.verbatim}</dd>
        </div>
      ))}
    </dl>
  );
}
