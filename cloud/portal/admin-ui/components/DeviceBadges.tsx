import type { AdminDevice, PolicyStatus } from '../../../../protocol/portal-admin.js';
import { deviceStatus, POLICY_LABELS, STATUS_LABELS, type DeviceStatus } from '../device-view.js';
import { Badge, type BadgeTone } from './Badge.js';

const STATUS_TONES: Record<DeviceStatus, BadgeTone> = { active: 'ok', idle: 'info', silent: 'warn', never: 'neutral', revoked: 'bad' };
const POLICY_TONES: Record<PolicyStatus, BadgeTone> = { updated: 'ok', outdated: 'warn', unknown: 'neutral' };

export function DeviceStatusBadge({ device, now }: { device: Pick<AdminDevice, 'revokedAt' | 'lastSeenAt'>; now: number }) {
  const status = deviceStatus(device, now);
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}

export function PolicyBadge({ status, version }: { status: PolicyStatus; version: number | null }) {
  return (
    <Badge tone={POLICY_TONES[status]}>
      {version !== null ? `v${version} · ` : ''}
      {POLICY_LABELS[status]}
    </Badge>
  );
}
