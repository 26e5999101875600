/**
 * The org at a glance: headline figures, then charts where a shape says more than a number
 * (platforms, OS versions, models, app versions, policy and heartbeat freshness), then the devices
 * heard from most recently. Refreshes itself every 15 s.
 */
import type { AdminDevice, Dashboard as DashboardFigures } from '../../../../protocol/portal-admin.js';
import { BarChart } from '../components/BarChart.js';
import { Card } from '../components/Card.js';
import { ChartFigure } from '../components/ChartFigure.js';
import { DataTable } from '../components/DataTable.js';
import { DonutChart } from '../components/DonutChart.js';
import { Link } from '../components/Link.js';
import { PageHeader } from '../components/PageHeader.js';
import { StatTile } from '../components/StatTile.js';
import { ErrorPanel, Loading } from '../components/States.js';
import { useApi } from '../console-context.js';
import { appVersionData, heartbeatData, modelData, osData, osVersionData, policyData } from '../dashboard-view.js';
import { count, osWithVersion, percent, relativeTime } from '../format.js';
import { useResource } from '../use-resource.js';
import { DeviceStatusBadge } from '../components/DeviceBadges.js';

const POLL_MS = 15_000;
const RECENT = 6;

export function Dashboard() {
  const api = useApi();
  const dash = useResource(() => Promise.all([api.dashboard(), api.devices()]), [api], POLL_MS);
  return (
    <>
      <PageHeader title="Dashboard" description="Devices, versions and policy across the organisation." />
      {dash.error && !dash.data && <ErrorPanel error={dash.error} onRetry={() => void dash.reload()} />}
      {!dash.data && !dash.error && <Loading what="the dashboard" />}
      {dash.data && <DashboardBody dashboard={dash.data[0]} devices={dash.data[1].devices} />}
    </>
  );
}

function DashboardBody({ dashboard: d, devices }: { dashboard: DashboardFigures; devices: AdminDevice[] }) {
  const now = d.generatedAt;
  const recent = devices
    .filter((x) => x.revokedAt === null && x.lastSeenAt !== null)
    .sort((a, b) => (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0))
    .slice(0, RECENT);
  const active = d.heartbeats.lastHour;
  return (
    <>
      <div class="kpis">
        <StatTile label="Devices enrolled" value={d.devices.enrolled} foot={d.devices.revoked > 0 ? `${count(d.devices.revoked, 'revoked device')} not counted` : 'No revoked devices'} testId="kpi-devices" />
        <StatTile
          label="Seats in use"
          value={d.seats.used}
          of={d.seats.total}
          meter={d.seats.total > 0 ? d.seats.used / d.seats.total : 0}
          foot={`${percent(d.seats.used, d.seats.total)} of users have a device`}
        />
        <StatTile
          label="Policy up to date"
          value={d.policy.updated}
          of={d.devices.enrolled}
          meter={d.devices.enrolled > 0 ? d.policy.updated / d.devices.enrolled : 0}
          foot={d.policy.outdated > 0 ? `${count(d.policy.outdated, 'device')} behind version ${d.policy.currentVersion ?? '–'}` : `Current version ${d.policy.currentVersion ?? '–'}`}
          footTone={d.policy.outdated > 0 ? 'warn' : 'ok'}
        />
        <StatTile
          label="Active in the last hour"
          value={active}
          of={d.devices.enrolled}
          meter={d.devices.enrolled > 0 ? active / d.devices.enrolled : 0}
          foot={d.heartbeats.silent > 0 ? `${count(d.heartbeats.silent, 'device')} silent for over a day` : `${d.heartbeats.last24h} seen in the last 24 h`}
          footTone={d.heartbeats.silent > 0 ? 'warn' : undefined}
        />
      </div>

      <div class="charts">
        <ChartFigure title="Platforms" data={osData(d.byOs)} unit="devices" testId="chart-platforms">
          <DonutChart title="Devices by platform" data={osData(d.byOs)} unit="devices" />
        </ChartFigure>
        <ChartFigure title="Policy version" data={policyData(d.policy)} unit="devices">
          <DonutChart title="Devices by policy status" data={policyData(d.policy)} unit="devices" centerLabel={d.policy.currentVersion ? `on v${d.policy.currentVersion}` : 'devices'} />
        </ChartFigure>
        <ChartFigure title="OS versions" data={osVersionData(d.byOsVersion)} unit="devices">
          <BarChart title="Devices by OS version" data={osVersionData(d.byOsVersion)} unit="devices" />
        </ChartFigure>
        <ChartFigure title="Models" data={modelData(d.byModel)} unit="devices">
          <BarChart title="Devices by model" data={modelData(d.byModel)} unit="devices" />
        </ChartFigure>
        <ChartFigure
          title="App versions"
          data={appVersionData(d.appVersions)}
          unit="devices"
          footer={
            <p class="chart-card-foot">
              {d.appVersions.newest ? `Newest reported: ${d.appVersions.newest}. ` : ''}
              {d.appVersions.outdated > 0 ? `${count(d.appVersions.outdated, 'device')} on an older version.` : 'Every reporting device runs the newest version.'}
            </p>
          }
        >
          <BarChart title="Devices by app version" data={appVersionData(d.appVersions)} unit="devices" />
        </ChartFigure>
        <ChartFigure title="Heartbeats" data={heartbeatData(d.heartbeats)} unit="devices">
          <BarChart title="Devices by last heartbeat" data={heartbeatData(d.heartbeats)} unit="devices" />
        </ChartFigure>
      </div>

      <Card titleId="recent-title" title="Recent heartbeats" class="flush" aside={<Link to={{ page: 'devices' }}>All devices →</Link>}>
        {recent.length === 0 ? (
          <p class="state state-empty">No device has reported yet.</p>
        ) : (
          <DataTable columns={['Device', 'User', 'Platform', 'Status', { label: 'Last seen', num: true }]}>
            {recent.map((x) => (
              <tr key={x.id}>
                <th scope="row">
                  <Link to={{ page: 'device', id: x.id }} class="row-link">
                    {x.name}
                  </Link>
                </th>
                <td>{x.user?.email ?? <span class="muted">deleted user</span>}</td>
                <td>{osWithVersion(x.fingerprint.os, x.fingerprint.osVersion)}</td>
                <td>
                  <DeviceStatusBadge device={x} now={now} />
                </td>
                <td class="num">{relativeTime(x.lastSeenAt, now)}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </>
  );
}
