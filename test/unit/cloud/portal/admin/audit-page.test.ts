import { describe, expect, it } from 'vitest';
import { cutAuditPage } from '../../../../../cloud/portal/admin/audit-page.js';
import type { AuditEntry } from '../../../../../cloud/portal/store/store.js';

const entry = (id: string, at: number): AuditEntry => ({ id, orgId: 'o', at, actorUserId: null, action: 'x', target: 't', details: {} });

describe('audit log paging', () => {
  it('returns everything and no next page at the end of the log', () => {
    expect(cutAuditPage([entry('a', 3), entry('b', 2)], 2)).toEqual({ entries: [entry('a', 3), entry('b', 2)], nextBefore: null });
  });

  it('continues below the last timestamp of a full page', () => {
    const cut = cutAuditPage([entry('a', 5), entry('b', 4), entry('c', 3)], 2);
    expect(cut.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(cut.nextBefore).toBe(4);
  });

  it('never splits entries of one millisecond across pages', () => {
    const fetched = [entry('a', 5), entry('b', 4), entry('c', 4), entry('d', 4)];
    const cut = cutAuditPage(fetched, 3);
    expect(cut.entries.map((e) => e.id)).toEqual(['a']);
    // The next page is "before 5": it starts with all three entries at 4.
    expect(cut.nextBefore).toBe(5);
  });

  it('moves on when a whole page shares one millisecond', () => {
    const cut = cutAuditPage([entry('a', 4), entry('b', 4), entry('c', 4)], 2);
    expect(cut.entries).toHaveLength(2);
    expect(cut.nextBefore).toBe(4);
  });
});
