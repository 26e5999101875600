import { describe, expect, it } from 'vitest';
import { decodeSupportBundle, decodedLength } from '../../../../../cloud/portal/device/support-bundle.js';
import { WaygateError } from '../../../../../protocol/errors.js';
import { SUPPORT_BUNDLE_MAX_BYTES } from '../../../../../protocol/portal.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof WaygateError ? err.code : 'not a WaygateError';
  }
  return undefined;
}

describe('support bundles', () => {
  it('computes the decoded size from the base64 length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000]) expect(decodedLength(Buffer.alloc(n).toString('base64'))).toBe(n);
  });

  it('accepts up to the limit and decodes the bytes', () => {
    expect([...decodeSupportBundle(Buffer.from([1, 2, 3]).toString('base64'))]).toEqual([1, 2, 3]);
    expect(decodeSupportBundle(Buffer.alloc(SUPPORT_BUNDLE_MAX_BYTES).toString('base64')).byteLength).toBe(SUPPORT_BUNDLE_MAX_BYTES);
  });

  it('refuses one byte over the limit as FRAME_TOO_LARGE, and non-base64 as BAD_REQUEST', () => {
    expect(codeOf(() => decodeSupportBundle(Buffer.alloc(SUPPORT_BUNDLE_MAX_BYTES + 1).toString('base64')))).toBe('FRAME_TOO_LARGE');
    expect(codeOf(() => decodeSupportBundle('not base64!'))).toBe('BAD_REQUEST');
    expect(codeOf(() => decodeSupportBundle('abc'))).toBe('BAD_REQUEST');
  });
});
