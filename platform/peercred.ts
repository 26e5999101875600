/**
 * Who is on the other end of a local socket: the kernel's word for it (SO_PEERCRED on Linux,
 * getpeereid on macOS), which a client cannot forge. The LocalAPI's permission check rests on it.
 */
import type { Socket } from 'node:net';
import { readPeerCredentialsDarwin } from './peercred.darwin.js';
import { readPeerCredentialsLinux } from './peercred.linux.js';

export interface PeerCredentials {
  uid: number;
  gid: number;
  /** Not every platform reports the pid. */
  pid: number | null;
}

/** Reads the credentials of a connected socket's peer; null when the platform cannot tell. */
export type PeerCredentialsReader = (socket: Socket) => PeerCredentials | null;

export function peerCredentialsReader(platform: NodeJS.Platform = process.platform): PeerCredentialsReader {
  switch (platform) {
    case 'linux':
      return readPeerCredentialsLinux;
    case 'darwin':
      return readPeerCredentialsDarwin;
    default:
      // Windows: the named pipe's ACL decides who may connect; callers are treated as unknown.
      return () => null;
  }
}
