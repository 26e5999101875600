import { describe, expect, it } from 'vitest';
import { bytes, count, dateTime, osLabel, osWithVersion, percent, relativeTime } from '../../../../../cloud/portal/admin-ui/format.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const MIN = 60_000;

describe('relativeTime', () => {
  it('says never for a device that never reported', () => {
    expect(relativeTime(null, NOW)).toBe('never');
  });

  it.each([
    [10_000, 'just now'],
    [60_000, '1 min ago'],
    [5 * MIN, '5 min ago'],
    [44 * MIN, '44 min ago'],
    [50 * MIN, '1 h ago'],
    [3 * 60 * MIN, '3 h ago'],
    [30 * 60 * MIN, '30 h ago'],
    [40 * 60 * MIN, '2 days ago'],
    [29 * 24 * 60 * MIN, '29 days ago'],
  ])('%i ms ago reads "%s"', (ago, text) => {
    expect(relativeTime(NOW - ago, NOW)).toBe(text);
  });

  it('falls back to the date after a month', () => {
    expect(relativeTime(Date.UTC(2026, 0, 5), NOW, 'en-GB', 'UTC')).toBe('5 Jan 2026');
  });

  it('treats a small clock skew into the future as now, and says "in" beyond it', () => {
    expect(relativeTime(NOW + 20_000, NOW)).toBe('just now');
    expect(relativeTime(NOW + 10 * MIN, NOW)).toBe('in 10 min');
  });
});

describe('formatting', () => {
  it('writes dates in the given locale and zone', () => {
    expect(dateTime(Date.UTC(2026, 10, 26, 9, 5), 'en-GB', 'UTC')).toBe('26 Nov 2026, 09:05');
  });

  it('pluralises counts', () => {
    expect(count(1, 'device')).toBe('1 device');
    expect(count(0, 'device')).toBe('0 devices');
    expect(count(1200, 'device')).toBe('1,200 devices');
    expect(count(2, 'policy', 'policies')).toBe('2 policies');
  });

  it('never rounds a small share to 0 % or a large one to 100 %', () => {
    expect(percent(1, 1000)).toBe('<1%');
    expect(percent(999, 1000)).toBe('>99%');
    expect(percent(1, 3)).toBe('33%');
    expect(percent(5, 5)).toBe('100%');
    expect(percent(0, 0)).toBe('–');
  });

  it('sizes bytes', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KB');
    expect(bytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(bytes(20 * 1024 * 1024)).toBe('20 MB');
  });

  it('names platforms as people write them', () => {
    expect(osLabel('macos')).toBe('macOS');
    expect(osLabel(undefined)).toBe('Unknown');
    expect(osLabel('haiku')).toBe('haiku');
    expect(osWithVersion('windows', '11 23H2')).toBe('Windows 11 23H2');
    expect(osWithVersion('linux', undefined)).toBe('Linux');
  });
});
