import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { Explanation } from '../../../protocol/localapi.js';
import { t } from '../../lib/i18n.js';
import type { Action } from '../use-action.js';

/**
 * "Explain this page" (app mode): where the active tab's traffic goes and why, as the Waygate app
 * computes it. The address starts as the active tab's and can be edited. Browser-only mode says in
 * ModeNote that this needs the app.
 */
export function Explain({ action }: { action: Action }) {
  const [url, setUrl] = useState('');
  const [result, setResult] = useState<Explanation | null>(null);
  useEffect(() => {
    void browser.tabs.query({ active: true, currentWindow: true }).then((tabs) => {
      const current = tabs[0]?.url;
      if (current && /^https?:/.test(current)) setUrl((typed) => typed || current);
    });
  }, []);
  const submit = async (event: Event) => {
    event.preventDefault();
    setResult(null);
    const reply = await action.run({ type: 'explain', url });
    if (reply?.ok && reply.explanation) setResult(reply.explanation);
  };
  return (
    <section class="panel" data-testid="explain">
      <h2 class="panel-title">{t('explainTitle')}</h2>
      <form class="form inline" onSubmit={(event) => void submit(event)}>
        <input type="text" required value={url} aria-label={t('explainUrlLabel')} data-testid="explain-url" onInput={(event) => setUrl(event.currentTarget.value)} />
        <button type="submit" class="button" data-testid="explain-button" disabled={action.busy !== null}>
          {t('explainButton')}
        </button>
      </form>
      {result && <ExplanationView explanation={result} />}
    </section>
  );
}

function ExplanationView({ explanation }: { explanation: Explanation }) {
  const { route } = explanation;
  const routeText = route.kind === 'edge' ? t('routeEdge', route.edgeId, route.proxy) : route.kind === 'direct' ? t('routeDirect') : t('routeBlocked');
  return (
    <div class="explanation" data-testid="explanation">
      <dl class="facts">
        <div class="fact">
          <dt>{t('explainRoute')}</dt>
          <dd data-testid="explain-route" data-kind={route.kind}>
            {routeText}
          </dd>
        </div>
        <div class="fact">
          <dt>{t('explainPac')}</dt>
          <dd data-testid="explain-pac">{explanation.pacResult ?? t('explainNoPac')}</dd>
        </div>
      </dl>
      <ul class="reasons" data-testid="explain-reasons">
        {explanation.reasons.map((reason, index) => (
          <li key={index}>{reason}</li>
        ))}
      </ul>
    </div>
  );
}
