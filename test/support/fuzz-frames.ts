/**
 * A seeded generator of native-messaging input for fuzzing `waygate native`: mostly requests (good
 * and subtly wrong, each with the answer the host owes), and now and then a frame that must end
 * the connection (bad UTF-8, bad JSON, no usable id, an absurd length, a truncated frame).
 */
import type { ErrorCode } from '../../protocol/errors.js';
import { encodeFrame } from '../../protocol/frame-codec.js';

export type Expected = 'result' | ErrorCode;

export type FuzzFrame =
  | { kind: 'request'; bytes: Buffer; id: string; expect: Expected }
  /** The host must close the connection after this frame: exit 2, or 0 for input that ends mid-frame. */
  | { kind: 'fatal'; bytes: Buffer; exitCode: 0 | 2; what: string };

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'Z', '0', ' ', '"', '\\', '\n', 'é', '✓', '日', '😀', '\u0000', '{', '}'];
const LIMIT = 64 * 1024 * 1024;

export class FuzzSource {
  private n = 0;
  constructor(private readonly random: () => number) {}

  private int(max: number): number {
    return Math.floor(this.random() * max);
  }
  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  private text(max: number): string {
    return Array.from({ length: this.int(max) }, () => this.pick(ALPHABET)).join('');
  }
  /** Any JSON value, nested a little. */
  private junk(depth = 0): unknown {
    const choice = this.int(depth > 2 ? 4 : 6);
    if (choice === 0) return null;
    if (choice === 1) return this.random() * 1e6 - 5e5;
    if (choice === 2) return this.text(12);
    if (choice === 3) return this.random() < 0.5;
    if (choice === 4) return Array.from({ length: this.int(4) }, () => this.junk(depth + 1));
    return Object.fromEntries(Array.from({ length: this.int(4) }, () => [this.text(6), this.junk(depth + 1)]));
  }

  private request(id: string): { value: Record<string, unknown>; expect: Expected } {
    const method = this.pick(['ping', 'status', 'version', 'watch'] as const);
    const value: Record<string, unknown> = { v: 1, id, method };
    if (method === 'ping' && this.random() < 0.8) value.params = { data: this.text(200) };
    if (method !== 'ping' && this.random() < 0.3) value.params = {};
    return { value, expect: 'result' };
  }

  /** A request with one thing wrong, and the code the host must answer with. */
  private wrongRequest(id: string): { value: Record<string, unknown>; expect: Expected } {
    const { value } = this.request(id);
    switch (this.int(5)) {
      case 0:
        return { value: { ...value, v: this.pick([0, 2, '1', null, 1.5]) }, expect: 'UNSUPPORTED_VERSION' };
      case 1: {
        const withoutVersion = { ...value };
        delete withoutVersion.v;
        return { value: withoutVersion, expect: 'UNSUPPORTED_VERSION' };
      }
      case 2:
        return { value: { ...value, method: this.pick(['reboot', '', 'PING', 42, null, ['ping']]) }, expect: 'UNKNOWN_METHOD' };
      case 3:
        return { value: { v: 1, id, method: 'ping', params: this.pick([{ data: 7 }, 'x', [1], 3, { data: null }]) }, expect: 'BAD_REQUEST' };
      default:
        return { value: { v: 1, id, method: this.pick(['status', 'version', 'watch']), params: { [this.text(4) || 'k']: this.junk() } }, expect: 'BAD_REQUEST' };
    }
  }

  private fatal(): FuzzFrame {
    const bytesOf = (body: Buffer) => {
      const header = Buffer.alloc(4);
      header.writeUInt32LE(body.length, 0);
      return Buffer.concat([header, body]);
    };
    switch (this.int(6)) {
      case 0:
        return { kind: 'fatal', exitCode: 2, what: 'bad UTF-8', bytes: bytesOf(Buffer.from([0x22, 0xff, 0xfe, 0x22])) };
      case 1:
        return { kind: 'fatal', exitCode: 2, what: 'bad JSON', bytes: bytesOf(Buffer.from(`{"v":1,"id":"x${this.text(5)}`)) };
      case 2: {
        const random = Buffer.from(Array.from({ length: 1 + this.int(64) }, () => this.int(256)));
        // A random body that happens to be valid JSON with an id would be answered, not fatal.
        random[0] = 0x7b; // '{'
        random[random.length - 1] = 0x2c; // ','
        return { kind: 'fatal', exitCode: 2, what: 'random bytes', bytes: bytesOf(random) };
      }
      case 3:
        return { kind: 'fatal', exitCode: 2, what: 'no usable id', bytes: encodeFrame(this.pick([this.junk(), [], 'id', { v: 1, method: 'ping', id: this.pick([7, '', null, 'x'.repeat(200)]) }]), LIMIT) };
      case 4: {
        const header = Buffer.alloc(4);
        header.writeUInt32LE(LIMIT + 1 + this.int(0xffffffff - LIMIT - 1), 0);
        return { kind: 'fatal', exitCode: 2, what: 'length over 64 MiB', bytes: header };
      }
      default: {
        const frame = encodeFrame({ v: 1, id: 'cut', method: 'status' }, LIMIT);
        return { kind: 'fatal', exitCode: 0, what: 'input ends mid-frame', bytes: frame.subarray(0, 1 + this.int(frame.length - 1)) };
      }
    }
  }

  next(fatalRate: number): FuzzFrame {
    if (this.random() < fatalRate) return this.fatal();
    const id = `f${this.n++}`;
    const { value, expect } = this.random() < 0.5 ? this.request(id) : this.wrongRequest(id);
    return { kind: 'request', id, expect, bytes: encodeFrame(value, LIMIT) };
  }

  /** Splits `bytes` into chunks of random sizes, as pipes do. */
  chunks(bytes: Buffer): Buffer[] {
    const out: Buffer[] = [];
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + this.int(this.random() < 0.2 ? 16 : 8192);
      out.push(bytes.subarray(at, at + size));
      at += size;
    }
    return out;
  }
}
