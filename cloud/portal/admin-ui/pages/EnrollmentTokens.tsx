/**
 * Org enrollment tokens for zero-touch enrollment of managed browsers: create one (shown once, to
 * paste into the browser policy), see which are active, revoke one that leaked or is done.
 */
import { useState } from 'preact/hooks';
import type { AdminEnrollmentToken } from '../../../../protocol/portal-admin.js';
import { Badge, type BadgeTone } from '../components/Badge.js';
import { Card } from '../components/Card.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { ACTIONS_COLUMN, DataTable } from '../components/DataTable.js';
import { OneTimeSecret } from '../components/OneTimeSecret.js';
import { PageHeader } from '../components/PageHeader.js';
import { Empty, ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { dateOnly, dateTime } from '../format.js';
import { useAction } from '../use-action.js';
import { useResource } from '../use-resource.js';

const STATUS_TONES: Record<AdminEnrollmentToken['status'], BadgeTone> = { active: 'ok', expired: 'neutral', revoked: 'bad' };
const LIFETIMES = [
  { days: 0, label: 'Until revoked' },
  { days: 7, label: '7 days' },
  { days: 30, label: '30 days' },
  { days: 90, label: '90 days' },
  { days: 365, label: '1 year' },
];

export function EnrollmentTokens() {
  const api = useApi();
  const tokens = useResource(() => api.enrollmentTokens(), [api]);
  return (
    <>
      <PageHeader title="Enrollment tokens" description="Tokens let managed browsers enroll without anyone approving each device. Put one in the browser policy; revoke it when it is no longer needed." />
      <div class="two-col">
        <section class="card flush" aria-label="Tokens">
          {tokens.error && <ErrorPanel error={tokens.error} onRetry={() => void tokens.reload()} />}
          {!tokens.data && !tokens.error && <Loading what="tokens" />}
          {tokens.data && <TokenTable tokens={tokens.data.tokens} onChanged={() => void tokens.reload()} />}
        </section>
        <CreateToken onCreated={() => void tokens.reload()} />
      </div>
    </>
  );
}

function TokenTable({ tokens, onChanged }: { tokens: AdminEnrollmentToken[]; onChanged: () => void }) {
  const api = useApi();
  const act = useAction();
  if (tokens.length === 0) return <Empty title="No tokens yet">Create one to enroll managed browsers.</Empty>;
  return (
    <DataTable testId="token-table" columns={['Label', 'Status', 'Created', 'Expires', ACTIONS_COLUMN]}>
      {tokens.map((t) => (
        <tr key={t.id}>
          <th scope="row">{t.label}</th>
          <td>
            <Badge tone={STATUS_TONES[t.status]}>{t.status === 'active' ? 'Active' : t.status === 'expired' ? 'Expired' : 'Revoked'}</Badge>
          </td>
          <td title={dateTime(t.createdAt)}>{dateOnly(t.createdAt)}</td>
          <td>{t.expiresAt === null ? <span class="muted">Never</span> : dateOnly(t.expiresAt)}</td>
          <td class="num">
            {t.status === 'active' && (
              <ConfirmButton
                label="Revoke"
                danger
                title={`Revoke “${t.label}”?`}
                confirmLabel="Revoke token"
                onConfirm={async () => {
                  await act(() => api.revokeEnrollmentToken(t.id), `Token “${t.label}” is revoked.`);
                  onChanged();
                }}
              >
                Browsers that have not enrolled yet can no longer use it. Devices already enrolled with it keep working.
              </ConfirmButton>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function CreateToken({ onCreated }: { onCreated: () => void }) {
  const api = useApi();
  const act = useAction();
  const [label, setLabel] = useState('');
  const [days, setDays] = useState(0);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ label: string; token: string } | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    const result = await act(() => api.createEnrollmentToken(days > 0 ? { label, expiresInDays: days } : { label }), (r) => `Created token “${r.enrollmentToken.label}”.`);
    setBusy(false);
    if (!result) return;
    setCreated({ label: result.enrollmentToken.label, token: result.token });
    setLabel('');
    onCreated();
  };

  return (
    <Card titleId="new-token-title" title="New token">
      <form class="action-list" onSubmit={(e) => void submit(e)}>
        <label class="field">
          <span class="field-label">Label</span>
          <input class="input" required maxLength={200} value={label} placeholder="e.g. Chromebooks, sales team" onInput={(e) => setLabel(e.currentTarget.value)} />
          <span class="field-hint">For you: where this token is deployed.</span>
        </label>
        <label class="field">
          <span class="field-label">Valid for</span>
          <select class="select" value={String(days)} onChange={(e) => setDays(Number(e.currentTarget.value))}>
            {LIFETIMES.map((l) => (
              <option key={l.days} value={String(l.days)}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <div class="form-actions">
          <button type="submit" class="button primary" disabled={busy || label.trim() === ''}>
            Create token
          </button>
        </div>
      </form>
      {created && <OneTimeSecret label={`Token “${created.label}”`} value={created.token} testId="new-token" onDone={() => setCreated(null)} />}
    </Card>
  );
}
