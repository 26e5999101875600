import { describe, expect, it } from 'vitest';
import { byteAmount, byteSize, formatBytes } from '../../../core/byte-size.js';

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;

describe('byte sizes', () => {
  it('writes whole bytes below a kilobyte', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1023)).toBe('1,023 B');
  });

  it('keeps one place below 10 of a unit and none above, as the admin console does', () => {
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * MB)).toBe('5.0 MB');
    expect(formatBytes(20 * MB)).toBe('20 MB');
    expect(formatBytes(2.25 * GB)).toBe('2.3 GB');
  });

  it('moves to the next unit when rounding reaches 1024, and writes 10 without a place', () => {
    expect(formatBytes(1023.6)).toBe('1.0 KB');
    expect(formatBytes(1023.9 * KB)).toBe('1.0 MB');
    expect(byteSize(9.96 * KB)).toEqual({ amount: 10, unit: 'KB', decimals: 0 });
  });

  it('stops at gigabytes, grouping the digits of large amounts', () => {
    expect(formatBytes(5000 * GB)).toBe('5,000 GB');
  });

  it('treats a negative count as nothing', () => {
    expect(formatBytes(-3)).toBe('0 B');
  });

  it('writes the amount as the language writes numbers', () => {
    const size = byteSize(1536 * KB);
    expect(byteAmount(size, 'en')).toBe('1.5');
    expect(byteAmount(size, 'de')).toBe('1,5');
    expect(byteAmount(size, 'fr')).toBe('1,5');
    expect(byteAmount(byteSize(5000 * GB), 'de')).toBe('5.000');
  });
});
