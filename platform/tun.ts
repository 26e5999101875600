/**
 * A layer-3 network adapter (TUN) as the edge and the device service use it: packets in, packets
 * out, nothing else. The OS code lives in `tun.linux.ts` (koffi: /dev/net/tun, TUNSETIFF with
 * IFF_TUN|IFF_NO_PI and optionally IFF_VNET_HDR, readiness from libuv, reads drained until EAGAIN),
 * `tun.fake.ts` is the in-memory device for tests without root. `openTun` is the only factory.
 *
 * With `offload` on, every packet read or written starts with the 10-byte virtio_net_hdr
 * (protocol/tunnel.ts) and read packets may be 64 KiB GSO super-packets.
 */

export interface TunOptions {
  /** Interface name; the kernel picks one (`tun%d`) when omitted. */
  readonly name?: string;
  /** Ask for IFF_VNET_HDR + TUNSETOFFLOAD(CSUM|TSO4|TSO6|TSO_ECN). */
  readonly offload: boolean;
  /**
   * Keep the interface (and the routes through it) when the process dies without closing it
   * (TUNSETPERSIST). The device service asks for this so a crash keeps blocking traffic instead of
   * letting it leak around the tunnel, and removes the interface at its next start. `close()` clears
   * it again, so a clean stop removes the interface as usual.
   */
  readonly persist?: boolean;
}

export interface TunDevice {
  /** The interface name the kernel gave the device. */
  readonly name: string;
  /** Whether packets carry a virtio_net_hdr (offload was asked for and granted). */
  readonly offload: boolean;
  /**
   * Starts reading. `onPackets` gets every packet that was ready at one wakeup, each copied into its
   * own buffer (safe to keep). Called again after `resume`; never after `close`. `onError` hears
   * when the device can no longer be read (its interface was deleted); without it the error is
   * thrown as uncaught, since a TUN that silently stops would be worse.
   */
  start(onPackets: (packets: Buffer[]) => void, onError?: (error: Error) => void): void;
  /** Stops reading until `resume` (backpressure: the sender's queue is full). */
  pause(): void;
  resume(): void;
  /** Writes one packet (one write() call per packet). False when the kernel dropped it (EAGAIN, ENOBUFS, EINVAL). */
  write(packet: Uint8Array): boolean;
  /** Closes the file descriptor; the kernel removes the interface unless it was made persistent. */
  close(): void;
}

export type TunError = 'unsupported-platform' | 'permission-denied' | 'no-tun-driver' | 'name-in-use' | 'failed';

export class TunOpenError extends Error {
  constructor(
    readonly reason: TunError,
    message: string,
  ) {
    super(message);
    this.name = 'TunOpenError';
  }
}

/** Opens a TUN device on this OS, or throws TunOpenError saying why not. */
export async function openTun(options: TunOptions): Promise<TunDevice> {
  if (process.platform !== 'linux') {
    throw new TunOpenError('unsupported-platform', `A TUN device is not supported on ${process.platform} yet; Waygate's tunnel runs on Linux.`);
  }
  const { openLinuxTun } = await import('./tun.linux.js');
  return openLinuxTun(options);
}
