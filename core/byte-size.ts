/**
 * Byte counts in the units people read, for the popup and `waygate status` alike. A kilobyte is
 * 1024 bytes, as the admin console counts them, so a device's figures match the portal's.
 */
export type ByteUnit = 'B' | 'KB' | 'MB' | 'GB';

const UNITS: readonly ByteUnit[] = ['B', 'KB', 'MB', 'GB'];

export interface ByteSize {
  /** Already rounded to `decimals` places. */
  readonly amount: number;
  readonly unit: ByteUnit;
  /** One place below 10 of a unit ("1.5 MB"), none above it ("20 MB") or for whole bytes. */
  readonly decimals: 0 | 1;
}

/** The largest unit whose rounded amount stays below 1024: 1023.9 KB reads "1.0 MB", not "1024 KB". */
export function byteSize(bytes: number): ByteSize {
  let value = Math.max(0, bytes);
  let index = 0;
  let size = rounded(value, index);
  while (size.amount >= 1024 && index < UNITS.length - 1) {
    value /= 1024;
    index += 1;
    size = rounded(value, index);
  }
  return size;
}

function rounded(value: number, index: number): ByteSize {
  const unit = UNITS[index] ?? 'GB';
  const tenths = Math.round(value * 10) / 10;
  // Rounded first, so 9.96 KB reads "10 KB" rather than "10.0 KB".
  return index > 0 && tenths < 10 ? { amount: tenths, unit, decimals: 1 } : { amount: Math.round(value), unit, decimals: 0 };
}

/** The amount as `locale` writes numbers ("1.5" in English, "1,5" in German). */
export function byteAmount(size: ByteSize, locale: string): string {
  return new Intl.NumberFormat(locale, { minimumFractionDigits: size.decimals, maximumFractionDigits: size.decimals }).format(size.amount);
}

/** "1.5 MB" in English, for text that is not translated (the CLI). */
export function formatBytes(bytes: number): string {
  const size = byteSize(bytes);
  return `${byteAmount(size, 'en')} ${size.unit}`;
}
