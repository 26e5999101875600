/**
 * How the console writes times, counts and sizes. Pure, and locale and time zone are parameters,
 * so tests pin them while the browser uses the admin's own.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "4 days ago", then the date; "never" for null. */
export function relativeTime(at: number | null, now: number, locale?: string, timeZone?: string): string {
  if (at === null) return 'never';
  const ago = now - at;
  if (ago < 0) return ago > -MINUTE ? 'just now' : `in ${span(-ago)}`;
  if (ago < 45_000) return 'just now';
  if (ago < 30 * DAY) return `${span(ago)} ago`;
  return dateOnly(at, locale, timeZone);
}

function span(ms: number): string {
  if (ms < 90_000) return '1 min';
  if (ms < 45 * MINUTE) return `${Math.round(ms / MINUTE)} min`;
  if (ms < 36 * HOUR) return `${Math.round(ms / HOUR)} h`;
  const days = Math.round(ms / DAY);
  return days === 1 ? '1 day' : `${days} days`;
}

export function dateTime(at: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}

export function dateOnly(at: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone }).format(at);
}

/** "1 device", "3 devices"; `plural` for the irregular ones. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en')} ${n === 1 ? singular : plural}`;
}

/** A share as a whole percentage; "–" when there is no whole to share. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const p = (part / whole) * 100;
  // A small non-zero share must not read as 0 %, nor an almost-full one as 100 %.
  if (p > 0 && p < 1) return '<1%';
  if (p < 100 && p > 99) return '>99%';
  return `${Math.round(p)}%`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit] ?? 'GB'}`;
}

const OS_LABELS: Record<string, string> = { linux: 'Linux', macos: 'macOS', windows: 'Windows', chromeos: 'ChromeOS' };

/** The platform as people write it; unknown values pass through, missing ones say so. */
export function osLabel(os: string | null | undefined): string {
  if (!os) return 'Unknown';
  return OS_LABELS[os] ?? os;
}

/** "macOS 14.5": the platform and its version, for tables and chart labels. */
export function osWithVersion(os: string | null | undefined, version: string | null | undefined): string {
  return version ? `${osLabel(os)} ${version}` : osLabel(os);
}
