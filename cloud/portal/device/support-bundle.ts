/**
 * The diagnostics bundle of a support request travels as base64 in JSON. The limit is on the
 * decoded size (what an admin downloads), checked before decoding so an oversized upload costs
 * no copy.
 */
import { WaygateError } from '../../../protocol/errors.js';
import { SUPPORT_BUNDLE_MAX_BYTES } from '../../../protocol/portal.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MIB = 1024 * 1024;

const bytes = (n: number): string => `${n.toLocaleString('en-US')} bytes`;

export function decodedLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

/**
 * Throws FRAME_TOO_LARGE (413) above the limit. Run on the raw body before schema validation, whose
 * length bound would otherwise turn an oversized bundle into a vaguer 400.
 */
export function assertBundleSize(base64: string): void {
  const size = decodedLength(base64);
  if (size > SUPPORT_BUNDLE_MAX_BYTES) {
    throw new WaygateError(
      'FRAME_TOO_LARGE',
      `The diagnostics bundle is ${bytes(size)}; the limit is ${bytes(SUPPORT_BUNDLE_MAX_BYTES)} (${SUPPORT_BUNDLE_MAX_BYTES / MIB} MiB). Send a smaller bundle (fewer days of logs) or none.`,
      { limitBytes: SUPPORT_BUNDLE_MAX_BYTES, sizeBytes: size },
    );
  }
}

/** The bundle's bytes: size-checked, then BAD_REQUEST for anything that is not base64. */
export function decodeSupportBundle(base64: string): Uint8Array {
  assertBundleSize(base64);
  if (base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw new WaygateError('BAD_REQUEST', 'The diagnostics bundle is not valid base64 (RFC 4648 §4, with padding).');
  }
  return new Uint8Array(Buffer.from(base64, 'base64'));
}
