/**
 * An audit entry's details (free-form JSON) as one short line: `key: value` pairs, long values cut,
 * times (`…At` in epoch ms) as dates, so the log stays a table people can scan. Nothing is lost:
 * the API has the full record.
 */
const MAX_VALUE = 60;
const MAX_TOTAL = 160;

export function auditDetails(details: unknown, formatTime: (ms: number) => string): string {
  if (details === null || details === undefined) return '';
  if (typeof details !== 'object' || Array.isArray(details)) return cut(JSON.stringify(details), MAX_TOTAL);
  const parts = Object.entries(details).map(([k, v]) => `${k}: ${cut(valueText(k, v, formatTime), MAX_VALUE)}`);
  return cut(parts.join(' · '), MAX_TOTAL);
}

function valueText(key: string, value: unknown, formatTime: (ms: number) => string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && key.endsWith('At') && Number.isInteger(value) && value > 0) return formatTime(value);
  return JSON.stringify(value);
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
