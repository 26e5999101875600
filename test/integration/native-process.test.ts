import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostMessage } from '../../protocol/native.js';
import { startNative } from '../support/native-session.js';
import { startServiceProcess, stopProcess, tempDir, waitForLog, type WaygateProcess } from '../support/waygate-process.js';

const isReply = (id: string) => (m: HostMessage) => 'id' in m && m.id === id;
const isLink = (state: 'up' | 'down') => (m: HostMessage) => 'event' in m && m.data.state === state;

describe('waygate native (the process the browser spawns)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let socket: string;
  const started: WaygateProcess[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir('native'));
    socket = join(dir, 'waygate.sock');
  });
  afterEach(async () => {
    for (const proc of started.splice(0)) await stopProcess(proc, 'SIGKILL');
    await cleanup();
  });

  it('relays requests to the running service and exits 0 on stdin EOF', async () => {
    const service = await startServiceProcess(socket);
    started.push(service);
    const native = startNative(socket);
    started.push(native.proc);
    native.send({ v: 1, id: 'a', method: 'status' });
    native.send({ v: 1, id: 'b', method: 'ping', params: { data: 'ünïcode ✓' } });
    expect(await native.next(isReply('a'))).toMatchObject({ result: { state: 'running', mode: 'system', pid: service.child.pid } });
    expect(await native.next(isReply('b'))).toEqual({ v: 1, id: 'b', result: { v: 1, pong: true, data: 'ünïcode ✓' } });
    native.proc.child.stdin!.end();
    expect(await native.proc.exited).toEqual({ code: 0, signal: null });
    expect(native.output.problems).toEqual([]);
  });

  it('runs a user-mode service in-process when none is running', async () => {
    const native = startNative(socket);
    started.push(native.proc);
    native.send({ v: 1, id: 's', method: 'status' });
    expect(await native.next(isReply('s'))).toMatchObject({ result: { mode: 'user', pid: native.proc.child.pid } });
    expect(native.proc.stderr()).toContain('starting one in user mode in this process');
    native.proc.child.stdin!.end();
    expect((await native.proc.exited).code).toBe(0);
  });

  it('turns a reply over 1 MiB into an error reply instead of a frame the browser would refuse', async () => {
    started.push(await startServiceProcess(socket));
    const native = startNative(socket);
    started.push(native.proc);
    // A ping echoes its data, so 2 MiB of data comes back as a reply over the browser's 1 MiB …
    native.send({ v: 1, id: 'big', method: 'ping', params: { data: 'x'.repeat(2 * 1024 * 1024) } });
    // … and 5 MiB is more than the LocalAPI channel carries at all.
    native.send({ v: 1, id: 'huge', method: 'ping', params: { data: 'x'.repeat(5 * 1024 * 1024) } });
    native.send({ v: 1, id: 'after', method: 'ping' });
    expect(await native.next(isReply('big'))).toMatchObject({ error: { code: 'REPLY_TOO_LARGE' } });
    expect(await native.next(isReply('huge'))).toMatchObject({ error: { code: 'FRAME_TOO_LARGE' } });
    expect(await native.next(isReply('after'))).toMatchObject({ result: { pong: true } });
  });

  it('exits cleanly with a logged reason on a frame it cannot attribute', async () => {
    started.push(await startServiceProcess(socket));
    const native = startNative(socket);
    started.push(native.proc);
    native.send({ v: 1, id: 'ok', method: 'ping' });
    const header = Buffer.alloc(4);
    header.writeUInt32LE(65 * 1024 * 1024, 0);
    native.sendRaw(header);
    expect(await native.proc.exited).toEqual({ code: 2, signal: null });
    expect(native.output.replyTo('ok')).toMatchObject({ result: { pong: true } });
    expect(native.proc.stderr()).toContain('exceeds the 67108864-byte limit');
  });

  it('pushes the service going down with the reason, and coming back when it restarts', async () => {
    const first = await startServiceProcess(socket);
    started.push(first);
    const native = startNative(socket);
    started.push(native.proc);
    native.send({ v: 1, id: 'w', method: 'watch' });
    expect(await native.next(isReply('w'))).toEqual({ v: 1, id: 'w', result: { watching: true } });
    await native.next(isLink('up'));

    await stopProcess(first, 'SIGKILL');
    const down = await native.next(isLink('down'));
    expect(down).toMatchObject({ data: { reason: expect.stringContaining('not reachable') } });

    const restarted = await startServiceProcess(socket);
    started.push(restarted);
    const upAgain = await native.next((m) => isLink('up')(m) && 'event' in m && m.data.state === 'up' && m.data.status.pid === restarted.child.pid);
    expect(upAgain).toBeDefined();
    await waitForLog(native.proc, 'native: service link down');
  });
});
