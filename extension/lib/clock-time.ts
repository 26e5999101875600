/** A time of day as the user's language writes it (hours and minutes, local time), or null for a bad date. */
export function clockTime(epochMs: number, locale: string, timeZone?: string): string | null {
  if (!Number.isFinite(epochMs)) return null;
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', ...(timeZone ? { timeZone } : {}) }).format(epochMs);
}
