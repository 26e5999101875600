/**
 * Length-prefixed JSON framing, as a pure codec: bytes in, events out (no streams, no I/O). A frame
 * is a 4-byte little-endian length followed by that many bytes of UTF-8 JSON. Native messaging uses
 * it (the browser's format), and so does the LocalAPI's RPC channel (see protocol/localapi.ts).
 *
 * The decoder is incremental: feed it chunks of any size, split anywhere; it keeps the pieces of a
 * partial frame and joins them once, when the frame is complete (joining per chunk is quadratic).
 * A frame whose length is over the limit is fatal: its body could be gigabytes, so the stream cannot
 * be trusted to resynchronise. A frame with bad UTF-8 or JSON is reported and decoding continues,
 * since its boundaries were well defined; the caller decides what that means.
 */
import { WaygateError } from './errors.js';

const HEADER_BYTES = 4;

export type DecodeEvent =
  /** A whole frame whose body parsed as JSON. */
  | { kind: 'message'; value: unknown; bytes: number }
  /** A whole frame whose body is not UTF-8 JSON. Decoding goes on with the next frame. */
  | { kind: 'invalid'; reason: string; bytes: number }
  /** The declared length is over the limit. Nothing more will be decoded. */
  | { kind: 'too-large'; declared: number; limit: number };

export class FrameDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true });
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Length of the frame being read, or null while the header is still incomplete. */
  private bodyLength: number | null = null;
  private failed = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds one chunk; returns the events for every frame completed by it, in order. */
  push(chunk: Uint8Array): DecodeEvent[] {
    if (this.failed || chunk.length === 0) return [];
    this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    this.pendingBytes += chunk.length;
    const events: DecodeEvent[] = [];
    for (;;) {
      if (this.bodyLength === null) {
        if (this.pendingBytes < HEADER_BYTES) break;
        const declared = this.take(HEADER_BYTES).readUInt32LE(0);
        if (declared > this.maxFrameBytes) {
          this.failed = true;
          this.pending = [];
          this.pendingBytes = 0;
          events.push({ kind: 'too-large', declared, limit: this.maxFrameBytes });
          break;
        }
        this.bodyLength = declared;
      }
      if (this.pendingBytes < this.bodyLength) break;
      events.push(this.parseBody(this.take(this.bodyLength)));
      this.bodyLength = null;
    }
    return events;
  }

  /** Bytes of an unfinished frame held at end of input (0 when the input ended on a boundary). */
  get bufferedBytes(): number {
    return this.pendingBytes + (this.bodyLength === null ? 0 : HEADER_BYTES);
  }

  private parseBody(body: Buffer): DecodeEvent {
    let text: string;
    try {
      text = this.utf8.decode(body);
    } catch {
      return { kind: 'invalid', reason: 'frame is not valid UTF-8', bytes: body.length };
    }
    try {
      return { kind: 'message', value: JSON.parse(text), bytes: body.length };
    } catch {
      return { kind: 'invalid', reason: 'frame is not valid JSON', bytes: body.length };
    }
  }

  /** Removes exactly `n` bytes from the front of the pending chunks, copying only when they span chunks. */
  private take(n: number): Buffer {
    const first = this.pending[0];
    if (first !== undefined && first.length >= n) {
      this.pendingBytes -= n;
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = joined.length > n ? [joined.subarray(n)] : [];
    this.pendingBytes -= n;
    return joined.subarray(0, n);
  }
}

/** Encodes one message as a frame; throws FRAME_TOO_LARGE when its body would exceed `maxFrameBytes`. */
export function encodeFrame(message: unknown, maxFrameBytes: number): Buffer {
  const json = JSON.stringify(message);
  const bodyBytes = Buffer.byteLength(json, 'utf8');
  if (bodyBytes > maxFrameBytes) {
    throw new WaygateError('FRAME_TOO_LARGE', `message of ${bodyBytes} bytes exceeds the ${maxFrameBytes}-byte frame limit`, {
      bytes: bodyBytes,
      limit: maxFrameBytes,
    });
  }
  const frame = Buffer.allocUnsafe(HEADER_BYTES + bodyBytes);
  frame.writeUInt32LE(bodyBytes, 0);
  frame.write(json, HEADER_BYTES, 'utf8');
  return frame;
}
