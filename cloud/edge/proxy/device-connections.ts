/**
 * Connections per device: one device (one token) may hold at most `limit` client connections to
 * this edge at once, so a runaway or hostile client cannot take every socket. A connection counts
 * from the first request it authenticates until it closes, whatever it carries (keep-alive
 * requests or a CONNECT tunnel).
 */
import type { Socket } from 'node:net';

export class DeviceConnections {
  private readonly byDevice = new Map<string, Set<Socket>>();
  private readonly deviceOf = new WeakMap<Socket, string>();

  constructor(readonly limit: number) {}

  /**
   * Counts `socket` for `device`; false when the device is at its limit (the socket is then not
   * counted). A socket already counted for the device is admitted again without counting twice.
   */
  admit(device: string, socket: Socket): boolean {
    if (this.deviceOf.get(socket) === device) return true;
    let sockets = this.byDevice.get(device);
    if (sockets === undefined) {
      sockets = new Set();
      this.byDevice.set(device, sockets);
    }
    if (sockets.size >= this.limit) return false;
    sockets.add(socket);
    this.deviceOf.set(socket, device);
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0 && this.byDevice.get(device) === sockets) this.byDevice.delete(device);
    });
    return true;
  }

  count(device: string): number {
    return this.byDevice.get(device)?.size ?? 0;
  }
}
