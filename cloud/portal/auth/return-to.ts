/**
 * Where the browser goes after signing in. Only a path on this portal is accepted: anything that
 * a browser could resolve to another origin (`https://…`, `//host`, `/\host`, control characters
 * that browsers strip) would make the sign-in page an open redirector for phishing.
 */

import { WaygateError } from '../../../protocol/errors.js';

export const BAD_RETURN_TO = 'return_to must be a path on this portal, such as /admin/. Links to other sites are refused.';

/** Longer than any real portal path; stops absurd values from travelling through cookies. */
const MAX_LENGTH = 2048;

/** Returns `value` when it is a same-origin path (with optional query and fragment), else null. */
export function safeReturnTo(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//')) return null;
  // Browsers treat `\` as `/` in special URLs, so `/\evil.example` means `//evil.example`.
  if (value.includes('\\')) return null;
  // The URL parser drops tabs and newlines, which could turn `/\t/evil` into `//evil`.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return null;
  const base = new URL('http://portal.invalid');
  let resolved: URL;
  try {
    resolved = new URL(value, base);
  } catch {
    return null;
  }
  return resolved.origin === base.origin ? value : null;
}

/** A return_to parameter: undefined when absent or empty, null when refused, else the path. */
export function optionalReturnTo(value: string | undefined): string | undefined | null {
  return value === undefined || value === '' ? undefined : safeReturnTo(value);
}

/** Like optionalReturnTo, for JSON clients: a refused value is a BAD_REQUEST. */
export function returnToParam(value: string | undefined): string | undefined {
  const returnTo = optionalReturnTo(value);
  if (returnTo === null) throw new WaygateError('BAD_REQUEST', BAD_RETURN_TO);
  return returnTo;
}
