/**
 * One device: what it reported (its fingerprint), who it belongs to, when it was last heard from
 * and which policy it runs; and what an admin can do to it — issue a one-time code the user types
 * to disable Waygate or log out, revoke its credential, or remove it from the list.
 */
import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { AdminDevice, OneTimeCodeResponse } from '../../../../protocol/portal-admin.js';
import { Card } from '../components/Card.js';
import { ConfirmButton } from '../components/ConfirmButton.js';
import { DeviceStatusBadge, PolicyBadge } from '../components/DeviceBadges.js';
import { Icon } from '../components/Icon.js';
import { Link } from '../components/Link.js';
import { OneTimeSecret } from '../components/OneTimeSecret.js';
import { PageHeader } from '../components/PageHeader.js';
import { ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { dateTime, osLabel, relativeTime } from '../format.js';
import { useAction } from '../use-action.js';
import { navigate } from '../use-route.js';
import { useResource } from '../use-resource.js';

const POLL_MS = 10_000;

export function DeviceDetail({ id }: { id: string }) {
  const api = useApi();
  const device = useResource(() => api.device(id), [api, id], POLL_MS);
  const back = (
    <Link to={{ page: 'devices' }}>
      <Icon name="back" size={14} /> All devices
    </Link>
  );
  if (!device.data) {
    return (
      <>
        <PageHeader title="Device" back={back} />
        {device.error ? <ErrorPanel error={device.error} onRetry={() => void device.reload()} /> : <Loading what="the device" />}
      </>
    );
  }
  const d = device.data;
  const now = device.loadedAt ?? Date.now();
  return (
    <>
      <PageHeader
        title={d.name}
        back={back}
        description={
          <>
            <DeviceStatusBadge device={d} now={now} /> {d.user ? `${d.user.name} · ${d.user.email}` : 'Its user has been deleted'}
          </>
        }
      />
      <div class="detail-grid">
        <div>
          <Facts device={d} now={now} />
        </div>
        <Actions device={d} onChanged={() => void device.reload()} />
      </div>
    </>
  );
}

function Facts({ device: d, now }: { device: AdminDevice; now: number }) {
  const f = d.fingerprint;
  const rows: [string, ComponentChildren][] = [
    ['Device ID', <code>{d.id}</code>],
    ['User', d.user ? `${d.user.name} (${d.user.email})` : '—'],
    ['Platform', osLabel(f.os)],
    ['OS version', f.osVersion || '—'],
    ['Model', f.model || '—'],
    ['Hostname', f.hostname || '—'],
    ['Serial number', f.serial ? <code>{f.serial}</code> : '—'],
    ['App version', f.appVersion ? <code>{f.appVersion}</code> : '—'],
    ['Network', f.networkType ?? '—'],
    ['Edge', f.edge ?? '—'],
    ['Connector state', f.state ?? '—'],
    ['Policy', <PolicyBadge status={d.policyStatus} version={d.policyVersion} />],
    ['Last seen', d.lastSeenAt === null ? 'Never' : <span title={dateTime(d.lastSeenAt)}>{`${relativeTime(d.lastSeenAt, now)} · ${dateTime(d.lastSeenAt)}`}</span>],
    ['Enrolled', dateTime(d.enrolledAt)],
  ];
  if (d.revokedAt !== null) rows.push(['Revoked', dateTime(d.revokedAt)]);
  return (
    <Card titleId="facts-title" title="Fingerprint" aside={<span class="card-subtitle">As the device last reported it</span>}>
      <dl class="kv" data-testid="device-facts">
        {rows.map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </Fragment>
        ))}
      </dl>
    </Card>
  );
}

function Actions({ device: d, onChanged }: { device: AdminDevice; onChanged: () => void }) {
  const api = useApi();
  const act = useAction();
  const [code, setCode] = useState<(OneTimeCodeResponse & { kind: 'disable' | 'logout' }) | null>(null);
  const revoked = d.revokedAt !== null;

  const issue = async (kind: 'disable' | 'logout') => {
    const issued = await act(() => api.oneTimeCode(d.id, kind), `Issued a one-time ${kind} code for ${d.name}.`);
    if (issued) setCode({ ...issued, kind });
  };

  return (
    <Card titleId="actions-title" title="Actions">
      <div class="action-list">
        <div class="action-item">
          <h3 class="field-label">Issue a one-time code</h3>
          <p>For a user who must turn Waygate off or sign out of it, where the policy does not allow that without a code. Read the code to them; it works once.</p>
          <div class="action-row">
            <button type="button" class="button" disabled={revoked} onClick={() => void issue('disable')}>
              Disable code
            </button>
            <button type="button" class="button" disabled={revoked} onClick={() => void issue('logout')}>
              Logout code
            </button>
          </div>
          {code && (
            <OneTimeSecret
              label={`One-time ${code.kind} code`}
              value={code.code}
              testId="one-time-code"
              hint={`Valid until ${dateTime(code.expiresAt)}. It is shown only this once.`}
              onDone={() => setCode(null)}
            />
          )}
        </div>
        <div class="action-item">
          <h3 class="field-label">Revoke</h3>
          <p>Ends this device's access now: its credential stops working and it must enroll again to reconnect.</p>
          <div class="action-row">
            <ConfirmButton
              label={revoked ? 'Revoked' : 'Revoke device'}
              disabled={revoked}
              danger
              title={`Revoke ${d.name}?`}
              confirmLabel="Revoke"
              onConfirm={async () => {
                await act(() => api.revokeDevice(d.id), `${d.name} is revoked.`);
                onChanged();
              }}
            >
              The device loses access at its next request. Its user can enroll it again.
            </ConfirmButton>
          </div>
        </div>
        <div class="action-item">
          <h3 class="field-label">Remove</h3>
          <p>Deletes the device and its history from the portal. Revoke first if it may still be in use.</p>
          <div class="action-row">
            <ConfirmButton
              label="Remove device"
              danger
              title={`Remove ${d.name}?`}
              confirmLabel="Remove"
              onConfirm={async () => {
                const done = await act(() => api.removeDevice(d.id).then(() => true), `${d.name} is removed.`);
                if (done) navigate({ page: 'devices' });
              }}
            >
              This cannot be undone.
            </ConfirmButton>
          </div>
        </div>
      </div>
    </Card>
  );
}
