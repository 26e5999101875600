import type { Socket } from 'node:net';
import koffi from 'koffi';
import type { PeerCredentials } from './peercred.js';
import { socketFd } from './socket-fd.js';

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;

type GetSockOpt = (fd: number, level: number, name: number, out: Record<string, number>, len: number[]) => number;

let getsockopt: GetSockOpt | null = null;

function bind(): GetSockOpt {
  if (getsockopt) return getsockopt;
  const libc = koffi.load('libc.so.6');
  const ucred = koffi.struct('waygate_ucred', { pid: 'int32_t', uid: 'uint32_t', gid: 'uint32_t' });
  const fn = libc.func('getsockopt', 'int', ['int', 'int', 'int', koffi.out(koffi.pointer(ucred)), koffi.inout(koffi.pointer('uint32_t'))]);
  getsockopt = (fd, level, name, out, len) => Number(fn(fd, level, name, out, len));
  return getsockopt;
}

export function readPeerCredentialsLinux(socket: Socket): PeerCredentials | null {
  const fd = socketFd(socket);
  if (fd === null) return null;
  const out: Record<string, number> = {};
  if (bind()(fd, SOL_SOCKET, SO_PEERCRED, out, [12]) !== 0) return null;
  const { pid, uid, gid } = out;
  if (uid === undefined || gid === undefined) return null;
  return { uid, gid, pid: pid ?? null };
}
