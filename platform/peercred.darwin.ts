import type { Socket } from 'node:net';
import koffi from 'koffi';
import type { PeerCredentials } from './peercred.js';
import { socketFd } from './socket-fd.js';

type GetPeerEid = (fd: number, uid: number[], gid: number[]) => number;

let getpeereid: GetPeerEid | null = null;

function bind(): GetPeerEid {
  if (getpeereid) return getpeereid;
  const libc = koffi.load('/usr/lib/libSystem.B.dylib');
  const fn = libc.func('getpeereid', 'int', ['int', koffi.out(koffi.pointer('uint32_t')), koffi.out(koffi.pointer('uint32_t'))]);
  getpeereid = (fd, uid, gid) => Number(fn(fd, uid, gid));
  return getpeereid;
}

export function readPeerCredentialsDarwin(socket: Socket): PeerCredentials | null {
  const fd = socketFd(socket);
  if (fd === null) return null;
  const uid = [0];
  const gid = [0];
  if (bind()(fd, uid, gid) !== 0) return null;
  const [u] = uid;
  const [g] = gid;
  return u === undefined || g === undefined ? null : { uid: u, gid: g, pid: null };
}
