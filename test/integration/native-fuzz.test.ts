import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FuzzSource, prng, type FuzzFrame } from '../support/fuzz-frames.js';
import { startNative } from '../support/native-session.js';
import { startServiceProcess, stopProcess, tempDir, type WaygateProcess } from '../support/waygate-process.js';

const FRAMES = 10_000;
const FATAL_RATE = 0.005;
const SEED = Number(process.env.WAYGATE_FUZZ_SEED ?? 20261126);
/** A host that has not exited this long after its input ended is hung. */
const HANG_MS = 10_000;

describe('fuzzing waygate native with random and malformed frames', () => {
  let service: WaygateProcess;
  let socket: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const tmp = await tempDir('fuzz');
    cleanup = tmp.cleanup;
    socket = join(tmp.dir, 'waygate.sock');
    service = await startServiceProcess(socket);
  });
  afterAll(async () => {
    await stopProcess(service);
    await cleanup();
  });

  it(`never crashes, hangs, or writes an unreadable or over-large frame (${FRAMES} frames, seed ${SEED})`, { timeout: 300_000 }, async () => {
    const source = new FuzzSource(prng(SEED));
    let sent = 0;
    let sessions = 0;
    while (sent < FRAMES) {
      // One browser connection: frames up to and including the first one that must end it.
      const batch: FuzzFrame[] = [];
      while (sent < FRAMES) {
        const frame = source.next(FATAL_RATE);
        batch.push(frame);
        sent++;
        if (frame.kind === 'fatal') break;
      }
      sessions++;
      const native = startNative(socket);
      for (const chunk of source.chunks(Buffer.concat(batch.map((f) => f.bytes)))) native.sendRaw(chunk);
      native.proc.child.stdin!.end();

      const hang = setTimeout(() => native.proc.child.kill('SIGKILL'), HANG_MS);
      const exit = await native.proc.exited;
      clearTimeout(hang);

      const last = batch.at(-1)!;
      const context = `session ${sessions} (ends with ${last.kind === 'fatal' ? last.what : 'EOF'}):\n${native.proc.stderr().slice(-2000)}`;
      expect(exit, context).toEqual({ code: last.kind === 'fatal' ? last.exitCode : 0, signal: null });
      expect(native.output.problems, context).toEqual([]);
      expect(native.output.trailingBytes, context).toBe(0);
      const replies = native.output.messages.filter((m) => 'id' in m);
      for (const frame of batch) {
        if (frame.kind !== 'request') continue;
        const answers = replies.filter((r) => r.id === frame.id);
        expect(answers, `${frame.id} in ${context}`).toHaveLength(1);
        const answer = answers[0]!;
        expect('error' in answer ? answer.error.code : 'result', `${frame.id}: ${frame.bytes.subarray(4).toString()}`).toBe(frame.expect);
      }
      expect(replies).toHaveLength(batch.filter((f) => f.kind === 'request').length);
    }
    expect(sessions).toBeGreaterThan(10);
  });
});
