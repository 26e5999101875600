/**
 * An in-memory TUN for tests without root. The test plays the kernel: `inject` hands packets to the
 * reader, `written` / `writes()` show what the code under test wrote.
 *
 * It keeps the real device's timing where code can notice it: packets reach `onPackets` on a later
 * microtask (never inside `inject`, `start` or `resume`), each wakeup delivers everything queued as
 * one batch, and nothing is delivered while paused or after close.
 */
import type { TunDevice } from './tun.js';

export interface FakeTunOptions {
  readonly name?: string;
  /** Whether the device reports offload granted (packets then carry a virtio header by contract). */
  readonly offload: boolean;
}

export interface FakeTun {
  readonly device: TunDevice;
  /** Packets the "kernel" has for the reader; queued while paused or not yet started. */
  inject(packets: readonly Uint8Array[]): void;
  /** Every packet written so far, in order (copies). */
  readonly written: readonly Buffer[];
  /** Every write, from the first, as it happens; ends when the device closes. */
  writes(): AsyncIterableIterator<Buffer>;
  /** While true, writes return false and are not recorded, like a kernel dropping packets (a full queue). */
  dropWrites(drop: boolean): void;
  readonly isPaused: boolean;
  readonly isClosed: boolean;
}

export function createFakeTun(options: FakeTunOptions): FakeTun {
  const name = options.name ?? 'tun0';
  const queued: Buffer[] = [];
  const written: Buffer[] = [];
  /** Wakes `writes()` iterators waiting for the next write or the close. */
  let wakeWriters: Array<() => void> = [];
  let onPackets: ((packets: Buffer[]) => void) | null = null;
  let paused = false;
  let closed = false;
  let dropping = false;
  let deliveryScheduled = false;

  const reading = (): boolean => onPackets !== null && !paused && !closed;

  const wakeAll = (): void => {
    const waiting = wakeWriters;
    wakeWriters = [];
    for (const wake of waiting) wake();
  };

  const scheduleDelivery = (): void => {
    if (deliveryScheduled || !reading() || queued.length === 0) return;
    deliveryScheduled = true;
    queueMicrotask(() => {
      deliveryScheduled = false;
      if (!reading() || queued.length === 0 || onPackets === null) return;
      onPackets(queued.splice(0));
    });
  };

  const device: TunDevice = {
    name,
    offload: options.offload,
    start(handler) {
      if (closed) throw new Error(`TUN device ${name} is closed.`);
      if (onPackets) throw new Error(`TUN device ${name} is already started.`);
      onPackets = handler;
      scheduleDelivery();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      scheduleDelivery();
    },
    write(packet) {
      if (closed) throw new Error(`TUN device ${name} is closed.`);
      if (dropping) return false;
      written.push(Buffer.from(packet));
      wakeAll();
      return true;
    },
    close() {
      if (closed) return;
      closed = true;
      queued.length = 0;
      wakeAll();
    },
  };

  async function* writes(): AsyncIterableIterator<Buffer> {
    for (let next = 0; ; next += 1) {
      while (next >= written.length) {
        if (closed) return;
        await new Promise<void>((resolve) => wakeWriters.push(resolve));
      }
      const packet = written[next];
      if (packet) yield packet;
    }
  }

  return {
    device,
    inject(packets) {
      if (closed) return;
      for (const packet of packets) queued.push(Buffer.from(packet));
      scheduleDelivery();
    },
    written,
    writes,
    dropWrites(drop) {
      dropping = drop;
    },
    get isPaused() {
      return paused;
    },
    get isClosed() {
      return closed;
    },
  };
}
