import { describe, expect, it } from 'vitest';
import { createHostWriter } from '../../../../host/native/host-writer.js';
import { FrameDecoder } from '../../../../protocol/frame-codec.js';
import { silentLogger } from '../../../fakes/logger.js';

function capture(limit: number) {
  const frames: Buffer[] = [];
  const write = createHostWriter((f) => frames.push(f), silentLogger, limit);
  const decoded = () => frames.flatMap((f) => new FrameDecoder(limit).push(f));
  return { write, frames, decoded };
}

describe('host writer', () => {
  it('turns a reply over the browser limit into a REPLY_TOO_LARGE error for the same id', () => {
    const { write, frames, decoded } = capture(200);
    write({ v: 1, id: 'big', result: { data: 'x'.repeat(500) } });
    expect(frames[0]!.length).toBeLessThanOrEqual(204);
    expect(decoded()).toEqual([
      { kind: 'message', bytes: expect.any(Number), value: { v: 1, id: 'big', error: expect.objectContaining({ code: 'REPLY_TOO_LARGE' }) } },
    ]);
  });

  it('drops a push over the limit rather than break the stream', () => {
    const { write, frames } = capture(100);
    write({ v: 1, event: 'service', data: { state: 'down', reason: 'r'.repeat(200), retryInMs: 1 } });
    expect(frames).toEqual([]);
  });
});
