/**
 * One page of the audit log from the store's "newest first, before T (exclusive)" listing. The
 * store pages by timestamp, so a page must not end in the middle of several entries sharing one
 * millisecond: the rest of them would fall below the next page's `before` and never be shown.
 * Fetch limit + 1; when the entry after the page shares the last timestamp, end the page before
 * that timestamp and let the next page start with all of its entries.
 */
import type { AuditEntry } from '../store/store.js';

export interface PageCut {
  entries: AuditEntry[];
  /** `before` for the next page, or null at the end of the log. */
  nextBefore: number | null;
}

/** `fetched` is newest first and may hold up to limit + 1 entries. */
export function cutAuditPage(fetched: readonly AuditEntry[], limit: number): PageCut {
  if (fetched.length <= limit) return { entries: [...fetched], nextBefore: null };
  const page = fetched.slice(0, limit);
  const lastAt = page[page.length - 1]?.at ?? 0;
  if (fetched[limit]?.at !== lastAt) return { entries: page, nextBefore: lastAt };
  const whole = page.filter((e) => e.at > lastAt);
  // More than a page in one millisecond cannot be split by time; show the page and move on.
  if (whole.length === 0) return { entries: page, nextBefore: lastAt };
  return { entries: whole, nextBefore: lastAt + 1 };
}
