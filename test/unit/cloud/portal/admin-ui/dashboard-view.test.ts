import { describe, expect, it } from 'vitest';
import { appVersionData, heartbeatData, MAX_BARS, modelData, osData, osVersionData, osVersionLabel, policyData } from '../../../../../cloud/portal/admin-ui/dashboard-view.js';

describe('dashboard chart data', () => {
  it('labels platforms and OS versions as people write them', () => {
    expect(osData([{ key: 'macos', count: 3 }, { key: 'unknown', count: 1 }, { key: 'linux', count: 5 }])).toEqual([
      { label: 'Linux', value: 5 },
      { label: 'macOS', value: 3 },
      { label: 'Unknown', value: 1, tone: 'muted' },
    ]);
    expect(modelData([{ key: 'unknown', count: 2 }])).toEqual([{ label: 'Unknown', value: 2, tone: 'muted' }]);
    expect(osVersionLabel('linux 6.1')).toBe('Linux 6.1');
    expect(osVersionLabel('windows 11 23H2')).toBe('Windows 11 23H2');
    expect(osVersionLabel('macos unknown')).toBe('macOS (version unknown)');
    expect(osVersionLabel('unknown')).toBe('Unknown');
  });

  it('caps bar charts, summing the tail into Other', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ key: `Model ${i}`, count: 20 - i }));
    const data = modelData(many);
    expect(data).toHaveLength(MAX_BARS);
    expect(data.at(-1)).toEqual({ label: 'Other', value: many.slice(MAX_BARS - 1).reduce((s, t) => s + t.count, 0) });
    expect(osVersionData(many.slice(0, 2)).map((d) => d.value)).toEqual([20, 19]);
  });

  it('colours the newest app version as current and the others as outdated', () => {
    const data = appVersionData({
      newest: '1.3.0',
      current: 4,
      outdated: 3,
      unknown: 1,
      byVersion: [
        { key: '1.3.0', count: 4 },
        { key: '1.2.9', count: 3 },
        { key: 'unknown', count: 1 },
      ],
    });
    expect(data).toEqual([
      { label: '1.3.0', value: 4, tone: 'ok' },
      { label: '1.2.9', value: 3, tone: 'warn' },
      { label: 'Unknown', value: 1, tone: 'muted' },
    ]);
  });

  it('splits policy freshness and leaves out empty parts', () => {
    expect(policyData({ currentVersion: 3, updated: 5, outdated: 0, unknown: 2 })).toEqual([
      { label: 'Up to date', value: 5, tone: 'ok' },
      { label: 'Not reported', value: 2, tone: 'muted' },
    ]);
  });

  it('shows every heartbeat bucket, empty ones too (a zero there is news)', () => {
    expect(heartbeatData({ lastHour: 2, last24h: 3, silent: 0, never: 1 }).map((d) => d.value)).toEqual([2, 3, 0, 1]);
  });
});
