/**
 * Every device of the org: search, filters and sortable columns, a status for each, and the CSV
 * export. The list refreshes itself every few seconds, so a device that just enrolled appears
 * without a reload.
 */
import { useMemo, useState } from 'preact/hooks';
import type { AdminDevice } from '../../../../protocol/portal-admin.js';
import { DeviceStatusBadge, PolicyBadge } from '../components/DeviceBadges.js';
import { Icon } from '../components/Icon.js';
import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';
import { SortHeader, type Sort } from '../components/SortHeader.js';
import { Empty, ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { matches, NO_FILTER, platformsIn, POLICY_LABELS, sortDevices, STATUS_LABELS, type DeviceFilter, type DeviceSortKey } from '../device-view.js';
import { count, osLabel, osWithVersion, relativeTime } from '../format.js';
import { useResource } from '../use-resource.js';

const POLL_MS = 3000;

export function Devices() {
  const api = useApi();
  const list = useResource(() => api.devices(), [api], POLL_MS);
  return (
    <>
      <PageHeader
        title="Devices"
        description="Every enrolled device, its user, platform and policy. New enrollments appear here as they happen."
        actions={
          <a class="button" href={api.devicesCsvUrl} download data-testid="export-csv">
            <Icon name="download" size={16} />
            Export CSV
          </a>
        }
      />
      {list.error && !list.data && <ErrorPanel error={list.error} onRetry={() => void list.reload()} />}
      {!list.data && !list.error && <Loading what="devices" />}
      {list.data && <DeviceTable devices={list.data.devices} now={list.loadedAt ?? Date.now()} stale={list.error !== undefined} />}
    </>
  );
}

function DeviceTable({ devices, now, stale }: { devices: AdminDevice[]; now: number; stale: boolean }) {
  const [filter, setFilter] = useState<DeviceFilter>(NO_FILTER);
  const [sort, setSort] = useState<Sort<DeviceSortKey>>({ key: 'lastSeen', dir: 'desc' });
  const shown = useMemo(() => sortDevices(devices.filter((d) => matches(d, filter, now)), sort.key, sort.dir), [devices, filter, sort, now]);
  const platforms = useMemo(() => platformsIn(devices), [devices]);
  const set = (change: Partial<DeviceFilter>) => setFilter({ ...filter, ...change });
  const header = (label: string, column: DeviceSortKey, numeric?: boolean) => <SortHeader label={label} column={column} sort={sort} onSort={setSort} numeric={numeric} />;

  return (
    <section class="card flush" aria-label="Device list">
      <div class="toolbar" role="search">
        <label class="search">
          <span class="sr-only">Search devices</span>
          <Icon name="search" />
          <input class="input" type="search" placeholder="Search name, user, model, serial…" value={filter.query} onInput={(e) => set({ query: e.currentTarget.value })} />
        </label>
        <label>
          <span class="sr-only">Status</span>
          <select class="select" value={filter.status} onChange={(e) => set({ status: statusValue(e.currentTarget.value) })}>
            <option value="all">All statuses</option>
            {Object.entries(STATUS_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Platform</span>
          <select class="select" value={filter.os} onChange={(e) => set({ os: e.currentTarget.value })}>
            <option value="all">All platforms</option>
            {platforms.map((os) => (
              <option key={os} value={os}>
                {osLabel(os === 'unknown' ? null : os)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span class="sr-only">Policy</span>
          <select class="select" value={filter.policy} onChange={(e) => set({ policy: policyValue(e.currentTarget.value) })}>
            <option value="all">Any policy state</option>
            {Object.entries(POLICY_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span class="toolbar-note" aria-live="polite">
          {!stale && <span class="live-dot" aria-hidden="true" />}
          {stale ? 'Not updating: the portal did not answer' : 'Live'} · {shown.length === devices.length ? count(devices.length, 'device') : `${shown.length} of ${count(devices.length, 'device')}`}
        </span>
      </div>
      {devices.length === 0 ? (
        <Empty title="No devices yet">Devices appear here as soon as someone enrolls one.</Empty>
      ) : shown.length === 0 ? (
        <Empty title="No device matches">Change the search or the filters.</Empty>
      ) : (
        <div class="table-wrap">
          <table class="data-table" data-testid="device-table">
            <thead>
              <tr>
                {header('Device', 'name')}
                {header('User', 'user')}
                {header('Platform', 'os')}
                {header('App', 'app')}
                <th scope="col">Status</th>
                {header('Policy', 'policy')}
                {header('Last seen', 'lastSeen', true)}
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr key={d.id} data-testid="device-row">
                  <th scope="row">
                    <Link to={{ page: 'device', id: d.id }} class="row-link">
                      {d.name}
                    </Link>
                    <div class="cell-sub">{d.fingerprint.model ?? d.fingerprint.hostname ?? ''}</div>
                  </th>
                  <td>
                    {d.user ? (
                      <>
                        <div>{d.user.name}</div>
                        <div class="cell-sub">{d.user.email}</div>
                      </>
                    ) : (
                      <span class="muted">deleted user</span>
                    )}
                  </td>
                  <td>{osWithVersion(d.fingerprint.os, d.fingerprint.osVersion)}</td>
                  <td class="mono">{d.fingerprint.appVersion ?? <span class="muted">–</span>}</td>
                  <td>
                    <DeviceStatusBadge device={d} now={now} />
                  </td>
                  <td>
                    <PolicyBadge status={d.policyStatus} version={d.policyVersion} />
                  </td>
                  <td class="num">{relativeTime(d.lastSeenAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function statusValue(value: string): DeviceFilter['status'] {
  return value === 'active' || value === 'idle' || value === 'silent' || value === 'never' || value === 'revoked' ? value : 'all';
}

function policyValue(value: string): DeviceFilter['policy'] {
  return value === 'updated' || value === 'outdated' || value === 'unknown' ? value : 'all';
}
