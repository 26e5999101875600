import { describe, expect, it } from 'vitest';
import { auditDetails } from '../../../../../cloud/portal/admin-ui/audit-view.js';

const iso = (details: unknown) => auditDetails(details, (ms) => new Date(ms).toISOString());

describe('auditDetails', () => {
  it('writes details as key: value pairs', () => {
    expect(iso({ version: 3, comment: 'tighten bypasses' })).toBe('version: 3 · comment: tighten bypasses');
  });

  it('cuts long values and long lines', () => {
    const line = iso({ a: 'x'.repeat(100), b: 'y'.repeat(100), c: 'z'.repeat(100) });
    expect(line.length).toBeLessThanOrEqual(160);
    expect(line).toContain('…');
  });

  it('writes times as dates', () => {
    expect(iso({ kind: 'disable', expiresAt: Date.UTC(2026, 10, 26, 9, 0) })).toBe('kind: disable · expiresAt: 2026-11-26T09:00:00.000Z');
    expect(iso({ expiresAt: null, count: 3 })).toBe('expiresAt: null · count: 3');
  });

  it('writes nothing for no details, and JSON for odd ones', () => {
    expect(iso(null)).toBe('');
    expect(iso({})).toBe('');
    expect(iso(['a'])).toBe('["a"]');
  });
});
