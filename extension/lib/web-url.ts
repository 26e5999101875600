/**
 * A web address a tab may open, or null. Addresses that reach the extension from the network (a
 * captive portal's redirect) must never open `javascript:`, `data:`, `file:` or extension pages.
 */
export function webUrl(raw: string | null): string | null {
  if (raw === null) return null;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
