/**
 * From the dashboard figures to what its charts draw: readable labels, a cap on the number of bars,
 * and colours that mean something where they can (up to date is green, outdated amber, unknown grey).
 */
import type { Dashboard, Tally } from '../../../protocol/portal-admin.js';
import { topN } from './chart-scale.js';
import type { ChartDatum } from './components/chart-colors.js';
import { osLabel } from './format.js';

/** More bars than this stop being a chart; the rest go into "Other". */
export const MAX_BARS = 8;

const UNKNOWN = 'unknown';

function label(key: string): string {
  return key === UNKNOWN || key === '' ? 'Unknown' : key;
}

/** "Unknown" is not a category like the others: grey, in every chart. */
function greyUnknown(data: ChartDatum[]): ChartDatum[] {
  return data.map((d) => (d.label === 'Unknown' ? { ...d, tone: 'muted' } : d));
}

export function osData(byOs: Tally): ChartDatum[] {
  return greyUnknown(
    topN(
      byOs.map((t) => ({ label: osLabel(t.key === UNKNOWN ? null : t.key), value: t.count })),
      6,
    ),
  );
}

/** "linux 6.1" → "Linux 6.1"; "unknown" → "Unknown". */
export function osVersionLabel(key: string): string {
  if (key === UNKNOWN) return 'Unknown';
  const space = key.indexOf(' ');
  if (space < 0) return osLabel(key);
  const version = key.slice(space + 1);
  return `${osLabel(key.slice(0, space))} ${version === UNKNOWN ? '(version unknown)' : version}`;
}

export function osVersionData(byOsVersion: Tally): ChartDatum[] {
  return greyUnknown(
    topN(
      byOsVersion.map((t) => ({ label: osVersionLabel(t.key), value: t.count })),
      MAX_BARS,
    ),
  );
}

export function modelData(byModel: Tally): ChartDatum[] {
  return greyUnknown(
    topN(
      byModel.map((t) => ({ label: label(t.key), value: t.count })),
      MAX_BARS,
    ),
  );
}

/** Newest release green, older ones amber, unreported grey. */
export function appVersionData(app: Dashboard['appVersions']): ChartDatum[] {
  return topN(
    app.byVersion.map((t) => ({ label: label(t.key), value: t.count })),
    MAX_BARS,
  ).map((d): ChartDatum => ({ ...d, tone: d.label === 'Unknown' ? 'muted' : d.label === app.newest ? 'ok' : 'warn' }));
}

export function policyData(policy: Dashboard['policy']): ChartDatum[] {
  return [
    { label: 'Up to date', value: policy.updated, tone: 'ok' as const },
    { label: 'Outdated', value: policy.outdated, tone: 'warn' as const },
    { label: 'Not reported', value: policy.unknown, tone: 'muted' as const },
  ].filter((d) => d.value > 0);
}

export function heartbeatData(h: Dashboard['heartbeats']): ChartDatum[] {
  return [
    { label: 'Within the last hour', value: h.lastHour, tone: 'ok' as const },
    { label: 'Within 24 hours', value: h.last24h, tone: 'ok' as const },
    { label: 'Silent over 24 hours', value: h.silent, tone: 'warn' as const },
    { label: 'Never reported', value: h.never, tone: 'muted' as const },
  ];
}
