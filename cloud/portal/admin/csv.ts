/**
 * CSV as RFC 4180 writes it: CRLF between records, fields quoted when they hold a comma, quote,
 * CR or LF, quotes doubled inside. One addition for spreadsheets: a field starting with = + - @
 * (or a tab or CR) is prefixed with ' so that Excel or LibreOffice shows it instead of running it
 * as a formula (OWASP "CSV injection") — device and user names are typed by users.
 */

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
