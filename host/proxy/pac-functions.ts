/**
 * The PAC helper functions (Netscape's list, as Chromium and Firefox implement them), handed to
 * pac-resolver in place of its own. Its defaults would send traffic off the machine (`myIpAddress`
 * dials 8.8.8.8), read the host's real clock (`weekdayRange`, `timeRange`), not implement
 * `dateRange` at all, and build a host-side RegExp from the script's pattern in `shExpMatch` (a
 * catastrophic pattern would stall the process outside the sandbox's deadline).
 *
 * Here the clock, time zone, own address and name resolution come from `PacEnvironment`, so tests
 * run them at a fixed instant and nothing touches the network but the injected resolver. Every
 * function runs in the host (they are called from inside QuickJS), so each bounds its own work.
 *
 * All of them are synchronous, as in browsers. pac-resolver would otherwise rewrite the script to
 * `await` its asynchronous helpers, and its rewriter (degenerator 7) misses calls nested in another
 * call's arguments — `String(isInNet(…))`, `shExpMatch(dnsResolve(host), "10.*")` — leaving an
 * `await` in a function it did not make async: a syntax error, so the whole PAC would fail.
 */

export interface PacEnvironment {
  /** Epoch milliseconds: what `new Date()` and the date/time helpers see. */
  readonly now: number;
  /** Minutes west of UTC at `now`, as `Date.prototype.getTimezoneOffset` counts them. */
  readonly timezoneOffset: number;
  /** What `myIpAddress()` answers. */
  readonly myAddress: string;
}

/**
 * An IPv4 address for a host name, or null when it does not resolve. Synchronous, as PAC scripts
 * call it: the worker thread blocks on the main thread's answer (pac-worker.ts).
 */
export type PacResolve = (host: string) => string | null;

/** The main thread's resolver behind it. */
export type PacLookup = (host: string) => Promise<string | null>;

/** shExpMatch gives up (false) beyond this much matching work: a URL times a pattern, generously. */
const MAX_MATCH_STEPS = 4_000_000;
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** The functions a PAC may call, as pac-resolver's `sandbox` option takes them. */
export function pacFunctions(env: () => PacEnvironment, resolve: PacResolve): Record<string, (...args: never[]) => unknown> {
  const resolveIPv4 = (host: unknown): string | null => {
    const name = String(host);
    if (parseIPv4(name) !== null) return name;
    if (name.length > 253) return null;
    return resolve(name);
  };
  return {
    dnsDomainIs,
    shExpMatch,
    isPlainHostName,
    localHostOrDomainIs,
    dnsDomainLevels,
    dnsResolve: resolveIPv4,
    isResolvable: (host: unknown) => resolveIPv4(host) !== null,
    isInNet: (host: unknown, pattern: unknown, mask: unknown) => {
      const address = resolveIPv4(host);
      return address !== null && isInNet(address, String(pattern), String(mask));
    },
    myIpAddress: () => env().myAddress,
    weekdayRange: (...args: unknown[]) => weekdayRange(env(), args),
    dateRange: (...args: unknown[]) => dateRange(env(), args),
    timeRange: (...args: unknown[]) => timeRange(env(), args),
    // A PAC's alert() would write to the service's log on every request: it is dropped.
    alert: () => undefined,
  };
}

export function dnsDomainIs(host: unknown, domain: unknown): boolean {
  const h = String(host).toLowerCase();
  const d = String(domain).toLowerCase();
  return h.length >= d.length && h.endsWith(d);
}

export function isPlainHostName(host: unknown): boolean {
  return !String(host).includes('.');
}

/** True when `host` is `hostdom`, or an unqualified name that `hostdom` starts with. */
export function localHostOrDomainIs(host: unknown, hostdom: unknown): boolean {
  const h = String(host).toLowerCase();
  const full = String(hostdom).toLowerCase();
  return h === full || (!h.includes('.') && full.startsWith(`${h}.`));
}

export function dnsDomainLevels(host: unknown): number {
  let dots = 0;
  for (const char of String(host)) if (char === '.') dots++;
  return dots;
}

/**
 * Shell-style match: `*` any run of characters, `?` any one, everything else literal. Iterative
 * with backtracking to the last `*` only, so the work is at most |text|·|pattern|, and capped.
 */
export function shExpMatch(text: unknown, pattern: unknown): boolean {
  const s = String(text);
  const p = String(pattern);
  if (s.length * Math.max(1, p.length) > MAX_MATCH_STEPS) return false;
  let si = 0;
  let pi = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === s[si]))) {
      si++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      starAt = pi++;
      resumeAt = si;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      si = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function parseIPv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

export function isInNet(address: string, pattern: string, mask: string): boolean {
  const a = parseIPv4(address);
  const p = parseIPv4(pattern);
  const m = parseIPv4(mask);
  if (a === null || p === null || m === null) return false;
  // Unsigned 32-bit arithmetic: `>>> 0` keeps the AND from turning negative.
  return ((a & m) >>> 0) === ((p & m) >>> 0);
}

/** The wall-clock fields at `env.now`, in local time (by `env.timezoneOffset`) or in GMT. */
function wallClock(env: PacEnvironment, gmt: boolean): Date {
  // A Date shifted so that its UTC fields read as local time.
  return new Date(gmt ? env.now : env.now - env.timezoneOffset * 60_000);
}

/** Splits a trailing "GMT" off the arguments. */
function gmtArgs(args: readonly unknown[]): { values: unknown[]; gmt: boolean } {
  const gmt = args.length > 0 && args[args.length - 1] === 'GMT';
  return { values: gmt ? args.slice(0, -1) : [...args], gmt };
}

/** weekdayRange(wd1 [, wd2] [, "GMT"]): inclusive, wrapping past Saturday (FRI–MON). */
export function weekdayRange(env: PacEnvironment, args: readonly unknown[]): boolean {
  const { values, gmt } = gmtArgs(args);
  if (values.length < 1 || values.length > 2) return false;
  const first = WEEKDAYS.indexOf(String(values[0]));
  const last = values.length === 2 ? WEEKDAYS.indexOf(String(values[1])) : first;
  if (first < 0 || last < 0) return false;
  const today = wallClock(env, gmt).getUTCDay();
  return first <= last ? first <= today && today <= last : today >= first || today <= last;
}

type DateField = 'day' | 'month' | 'year';

/** One dateRange argument: a day of the month (1–31), a month name, or a year (> 31). */
function dateArg(value: unknown): { field: DateField; value: number } | null {
  const month = MONTHS.indexOf(String(value));
  if (month >= 0) return { field: 'month', value: month };
  const n = typeof value === 'number' ? value : /^[0-9]+$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) return null;
  return n <= 31 ? { field: 'day', value: n } : { field: 'year', value: n };
}

/**
 * dateRange(day | month | year [, "GMT"]) matches that one field; with two halves (day1, day2),
 * (mon1, mon2), (year1, year2), (day1, mon1, day2, mon2), (mon1, year1, mon2, year2) or
 * (day1, mon1, year1, day2, mon2, year2) it matches the inclusive range, wrapping when the start is
 * after the end (DEC–JAN).
 */
export function dateRange(env: PacEnvironment, args: readonly unknown[]): boolean {
  const { values, gmt } = gmtArgs(args);
  const parsed = values.map(dateArg);
  if (parsed.length === 0 || parsed.length > 6 || parsed.some((p) => p === null)) return false;
  const clock = wallClock(env, gmt);
  const today: Record<DateField, number> = { day: clock.getUTCDate(), month: clock.getUTCMonth(), year: clock.getUTCFullYear() };
  const fields = parsed.filter((p) => p !== null);
  if (fields.length === 1) {
    const only = fields[0];
    return only !== undefined && today[only.field] === only.value;
  }
  if (fields.length % 2 !== 0) return false;
  const start = fields.slice(0, fields.length / 2);
  const end = fields.slice(fields.length / 2);
  if (start.some((p, i) => p.field !== end[i]?.field) || new Set(start.map((p) => p.field)).size !== start.length) return false;
  // Compare as year·10⁴ + month·10² + day over the fields the range names.
  const key = (part: Partial<Record<DateField, number>>) => (part.year ?? 0) * 10_000 + (part.month ?? 0) * 100 + (part.day ?? 0);
  const named = (list: typeof start) => Object.fromEntries(list.map((p) => [p.field, p.value]));
  const now = key(Object.fromEntries(start.map((p) => [p.field, today[p.field]])));
  const from = key(named(start));
  const to = key(named(end));
  return from <= to ? from <= now && now <= to : now >= from || now <= to;
}

/**
 * timeRange(hour), (hour1, hour2) — from hour1:00 up to, not including, hour2:00 —
 * (h1, m1, h2, m2) — inclusive to the end of minute m2 — or (h1, m1, s1, h2, m2, s2), each with an
 * optional "GMT"; ranges wrap past midnight when the start is after the end.
 */
export function timeRange(env: PacEnvironment, args: readonly unknown[]): boolean {
  const { values, gmt } = gmtArgs(args);
  const n = values.map((v) => (typeof v === 'number' ? v : /^[0-9]+$/.test(String(v)) ? Number(v) : NaN));
  if (n.some((v) => !Number.isInteger(v))) return false;
  const clock = wallClock(env, gmt);
  const hour = clock.getUTCHours();
  const now = hour * 3600 + clock.getUTCMinutes() * 60 + clock.getUTCSeconds();
  const at = (h = 0, m = 0, s = 0) => h * 3600 + m * 60 + s;
  let from: number;
  let to: number;
  switch (n.length) {
    case 1:
      return hour === n[0];
    case 2:
      if (n[0] === n[1]) return hour === n[0];
      [from, to] = [at(n[0]), at(n[1]) - 1];
      break;
    case 4:
      [from, to] = [at(n[0], n[1]), at(n[2], n[3], 59)];
      break;
    case 6:
      [from, to] = [at(n[0], n[1], n[2]), at(n[3], n[4], n[5])];
      break;
    default:
      return false;
  }
  return from <= to ? from <= now && now <= to : now >= from || now <= to;
}
