import type { Datum } from '../chart-scale.js';

/** A datum whose colour means something (up to date, outdated) rather than "the next colour". */
export interface ChartDatum extends Datum {
  tone?: 'ok' | 'warn' | 'bad' | 'muted';
}

/**
 * The CSS class that colours a datum: its tone, grey for the "Other" bucket, else the i-th of
 * eight series colours (styles.css picks them to stay apart in light and dark mode).
 */
export function seriesClass(d: ChartDatum, i: number, otherLabel = 'Other'): string {
  if (d.tone) return `tone-${d.tone}`;
  if (d.label === otherLabel) return 'series-other';
  return `series-${i % 8}`;
}
