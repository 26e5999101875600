import { describe, expect, it } from 'vitest';
import { createFakeTun } from '../../../platform/tun.fake.js';

const packet = (byte: number) => Uint8Array.of(0x45, byte);

/** Resolves with the next batch handed to onPackets. */
function nextBatch(start: (onPackets: (packets: Buffer[]) => void) => void): Promise<Buffer[]> {
  return new Promise((resolve) => start(resolve));
}

describe('fake TUN', () => {
  it('reports its name and the offload it was given', () => {
    const { device } = createFakeTun({ name: 'wtun7', offload: true });
    expect(device.name).toBe('wtun7');
    expect(device.offload).toBe(true);
    expect(createFakeTun({ offload: false }).device.name).toBe('tun0');
  });

  it('hands injected packets to the reader as one batch, later, never inside inject', async () => {
    const fake = createFakeTun({ offload: false });
    const batches: Buffer[][] = [];
    fake.device.start((packets) => batches.push(packets));
    fake.inject([packet(1), packet(2)]);
    expect(batches).toEqual([]);
    await Promise.resolve();
    expect(batches).toEqual([[Buffer.from(packet(1)), Buffer.from(packet(2))]]);
  });

  it('queues what arrives before start and while paused, and delivers it on resume', async () => {
    const fake = createFakeTun({ offload: false });
    fake.inject([packet(1)]);
    const batches: Buffer[][] = [];
    const first = nextBatch((resolve) =>
      fake.device.start((packets) => {
        batches.push(packets);
        resolve(packets);
      }),
    );
    expect(await first).toEqual([Buffer.from(packet(1))]);

    fake.device.pause();
    expect(fake.isPaused).toBe(true);
    fake.inject([packet(2)]);
    fake.inject([packet(3)]);
    await Promise.resolve();
    expect(batches).toHaveLength(1);

    fake.device.resume();
    expect(batches).toHaveLength(1);
    await Promise.resolve();
    expect(batches[1]).toEqual([Buffer.from(packet(2)), Buffer.from(packet(3))]);
  });

  it('copies injected packets, so the test may reuse its buffers', async () => {
    const fake = createFakeTun({ offload: false });
    const reused = packet(1);
    const batch = nextBatch((resolve) => fake.device.start(resolve));
    fake.inject([reused]);
    reused[1] = 9;
    expect(await batch).toEqual([Buffer.from(packet(1))]);
  });

  it('records every write, and streams them to writes() until close', async () => {
    const fake = createFakeTun({ offload: false });
    const seen: Buffer[] = [];
    const streamed = (async () => {
      for await (const written of fake.writes()) seen.push(written);
    })();
    expect(fake.device.write(packet(1))).toBe(true);
    expect(fake.device.write(packet(2))).toBe(true);
    fake.device.close();
    await streamed;
    expect(seen).toEqual([Buffer.from(packet(1)), Buffer.from(packet(2))]);
    expect(fake.written).toEqual(seen);
  });

  it('returns false for writes while dropping, like a full kernel queue', () => {
    const fake = createFakeTun({ offload: false });
    fake.dropWrites(true);
    expect(fake.device.write(packet(1))).toBe(false);
    fake.dropWrites(false);
    expect(fake.device.write(packet(2))).toBe(true);
    expect(fake.written).toEqual([Buffer.from(packet(2))]);
  });

  it('delivers nothing after close, and refuses writes and a new start', async () => {
    const fake = createFakeTun({ offload: false });
    const batches: Buffer[][] = [];
    fake.device.start((packets) => batches.push(packets));
    fake.inject([packet(1)]);
    fake.device.close();
    fake.device.close();
    await Promise.resolve();
    expect(batches).toEqual([]);
    expect(fake.isClosed).toBe(true);
    expect(() => fake.device.write(packet(2))).toThrow(/closed/);
    expect(() => fake.device.start(() => undefined)).toThrow(/closed/);
  });

  it('refuses a second start', () => {
    const fake = createFakeTun({ offload: false });
    fake.device.start(() => undefined);
    expect(() => fake.device.start(() => undefined)).toThrow(/already started/);
  });
});
