import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame, type DecodeEvent } from '../../../protocol/frame-codec.js';

const LIMIT = 64 * 1024 * 1024;

function frameOf(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32LE(body.length, 0);
  return Buffer.concat([header, body]);
}

function messages(events: DecodeEvent[]): unknown[] {
  return events.map((e) => (e.kind === 'message' ? e.value : e));
}

describe('native frame decoder', () => {
  it('decodes a frame split at every byte boundary', () => {
    const value = { v: 1, id: 'a', method: 'ping', params: { data: 'héllo ✓ 日本' } };
    const frame = encodeFrame(value, LIMIT);
    for (let cut = 0; cut <= frame.length; cut++) {
      const decoder = new FrameDecoder(LIMIT);
      const events = [...decoder.push(frame.subarray(0, cut)), ...decoder.push(frame.subarray(cut))];
      expect(messages(events), `cut at ${cut}`).toEqual([value]);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes a frame fed one byte at a time', () => {
    const value = { big: 'x'.repeat(1000) };
    const frame = encodeFrame(value, LIMIT);
    const decoder = new FrameDecoder(LIMIT);
    const events: DecodeEvent[] = [];
    for (const byte of frame) events.push(...decoder.push(Buffer.of(byte)));
    expect(messages(events)).toEqual([value]);
  });

  it('decodes many frames in one chunk, in order', () => {
    const values = Array.from({ length: 500 }, (_, i) => ({ i }));
    const chunk = Buffer.concat(values.map((v) => encodeFrame(v, LIMIT)));
    expect(messages(new FrameDecoder(LIMIT).push(chunk))).toEqual(values);
  });

  it('holds a partial frame and reports its bytes', () => {
    const decoder = new FrameDecoder(LIMIT);
    const frame = encodeFrame({ a: 1 }, LIMIT);
    expect(decoder.push(frame.subarray(0, 6))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(6);
  });

  it('accepts a frame exactly at the limit and refuses one byte over', () => {
    const limit = 64;
    const atLimit = Buffer.from(JSON.stringify('y'.repeat(limit - 2)));
    expect(atLimit.length).toBe(limit);
    expect(messages(new FrameDecoder(limit).push(frameOf(atLimit)))).toEqual(['y'.repeat(limit - 2)]);

    const over = Buffer.from(JSON.stringify('y'.repeat(limit - 1)));
    const decoder = new FrameDecoder(limit);
    expect(decoder.push(frameOf(over))).toEqual([{ kind: 'too-large', declared: limit + 1, limit }]);
    // Nothing after a fatal frame is decoded: the stream cannot be trusted any more.
    expect(decoder.push(encodeFrame({ after: true }, limit))).toEqual([]);
  });

  it('refuses a declared length over 64 MiB without waiting for the body', () => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(LIMIT + 1, 0);
    expect(new FrameDecoder(LIMIT).push(header)).toEqual([{ kind: 'too-large', declared: LIMIT + 1, limit: LIMIT }]);
    header.writeUInt32LE(0xffffffff, 0);
    expect(new FrameDecoder(LIMIT).push(header)[0]).toMatchObject({ kind: 'too-large' });
  });

  it('reports bad UTF-8 and carries on with the next frame', () => {
    const decoder = new FrameDecoder(LIMIT);
    const bad = frameOf(Buffer.from([0x22, 0xc3, 0x28, 0x22])); // "\xC3(" — a broken two-byte sequence
    const events = decoder.push(Buffer.concat([bad, encodeFrame({ ok: 1 }, LIMIT)]));
    expect(events).toEqual([
      { kind: 'invalid', reason: 'frame is not valid UTF-8', bytes: 4 },
      { kind: 'message', value: { ok: 1 }, bytes: 8 },
    ]);
  });

  it('reports bad JSON, including an empty frame', () => {
    const decoder = new FrameDecoder(LIMIT);
    const events = decoder.push(Buffer.concat([frameOf(Buffer.from('{"a":')), frameOf(Buffer.alloc(0))]));
    expect(events).toEqual([
      { kind: 'invalid', reason: 'frame is not valid JSON', bytes: 5 },
      { kind: 'invalid', reason: 'frame is not valid JSON', bytes: 0 },
    ]);
  });

  it('passes any JSON value through; shapes are checked by the protocol schemas, not the codec', () => {
    const decoder = new FrameDecoder(LIMIT);
    const values = [null, 42, 'text', [1, 2], { v: 99 }];
    expect(messages(decoder.push(Buffer.concat(values.map((v) => encodeFrame(v, LIMIT)))))).toEqual(values);
  });
});

describe('native frame encoder', () => {
  it('writes a little-endian length and UTF-8 JSON', () => {
    const frame = encodeFrame({ s: 'é' }, LIMIT);
    expect(frame.readUInt32LE(0)).toBe(Buffer.byteLength('{"s":"é"}'));
    expect(frame.subarray(4).toString('utf8')).toBe('{"s":"é"}');
  });

  it('refuses a message over the limit with FRAME_TOO_LARGE', () => {
    expect(() => encodeFrame({ s: 'x'.repeat(100) }, 50)).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
  });
});
