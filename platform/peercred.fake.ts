import type { PeerCredentials, PeerCredentialsReader } from './peercred.js';

/** Every caller is `creds` (or unknown, with null): lets tests play any local user without root. */
export function fakePeerCredentials(creds: PeerCredentials | null): PeerCredentialsReader {
  return () => creds;
}
