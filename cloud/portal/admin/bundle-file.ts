/**
 * A download name for a diagnostics bundle. Devices upload opaque bytes; the first bytes say
 * what they are, so the admin's machine opens the file with the right tool.
 */
const SIGNATURES: { ext: string; test: (b: Uint8Array) => boolean }[] = [
  { ext: 'tar.gz', test: (b) => b[0] === 0x1f && b[1] === 0x8b },
  { ext: 'zip', test: (b) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04 },
  { ext: 'json', test: (b) => b[0] === 0x7b || b[0] === 0x5b },
];

export function bundleFileName(ticketId: string, bundle: Uint8Array): string {
  const ext = SIGNATURES.find((s) => s.test(bundle))?.ext ?? 'bin';
  // The id is URL-safe base64; anything else is dropped so the header stays a plain token.
  return `waygate-support-${ticketId.replace(/[^A-Za-z0-9_-]/g, '')}.${ext}`;
}
