/** Every saved policy version, newest first, each one loadable into the editor. */
import { useState } from 'preact/hooks';
import type { PolicyVersionDetail } from '../../../../protocol/portal-admin.js';
import { Card } from '../components/Card.js';
import { useNotify } from '../components/Notices.js';
import { ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { count, dateTime, relativeTime } from '../format.js';
import { useResource } from '../use-resource.js';

export function PolicyHistoryCard({ currentVersion, onLoad }: { currentVersion: number; onLoad: (version: PolicyVersionDetail) => void }) {
  const api = useApi();
  const notify = useNotify();
  const history = useResource(() => api.policyHistory(), [api]);
  const [loading, setLoading] = useState<number | null>(null);
  const now = history.loadedAt ?? Date.now();

  const load = async (version: number) => {
    setLoading(version);
    try {
      onLoad(await api.policyVersion(version));
    } catch (err) {
      notify('error', err instanceof Error ? err.message : String(err));
    } finally {
      setLoading(null);
    }
  };

  return (
    <Card titleId="history-title" title="History" aside={history.data && <span class="card-subtitle">{count(history.data.versions.length, 'version')}</span>}>
      {history.error && <ErrorPanel error={history.error} onRetry={() => void history.reload()} />}
      {!history.data && !history.error && <Loading what="the history" />}
      {history.data && (
        <ol class="history" data-testid="policy-history">
          {history.data.versions.map((v) => (
            <li key={v.version} data-version={v.version}>
              <span class={`version-chip${v.version === currentVersion ? ' current' : ''}`}>v{v.version}</span>
              <span class="history-comment">{v.comment || <span class="muted">No comment</span>}</span>
              <span class="history-meta">
                <span title={dateTime(v.createdAt)}>{relativeTime(v.createdAt, now)}</span>
                {v.createdBy ? ` · ${v.createdBy.name}` : ''}
                {v.version === currentVersion ? (
                  ' · current'
                ) : (
                  <>
                    {' · '}
                    <button type="button" class="link-button" disabled={loading !== null} onClick={() => void load(v.version)} aria-label={`Load version ${v.version} into the editor`}>
                      {loading === v.version ? 'Loading…' : 'Load'}
                    </button>
                  </>
                )}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}
