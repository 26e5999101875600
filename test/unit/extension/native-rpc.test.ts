import { afterEach, describe, expect, it, vi } from 'vitest';
import { NativeRpc } from '../../../extension/lib/native-rpc.js';
import type { NativePush } from '../../../protocol/native.js';
import { FakeNativePort } from '../../fakes/native-port.js';
import { STATUS } from './status-fixture.js';


function setup(timeoutMs = 1000) {
  const port = new FakeNativePort();
  const pushes: NativePush[] = [];
  const rpc = new NativeRpc(port, (p) => pushes.push(p), timeoutMs);
  return { port, pushes, rpc };
}

afterEach(() => vi.useRealTimers());

describe('native RPC', () => {
  it('sends versioned requests with fresh ids and resolves the matching reply', async () => {
    const { port, rpc } = setup();
    const a = rpc.call('status');
    const b = rpc.call('ping', { data: 'x' });
    expect(port.posted).toEqual([
      { v: 1, id: '1', method: 'status' },
      { v: 1, id: '2', method: 'ping', params: { data: 'x' } },
    ]);
    rpc.receive({ v: 1, id: '2', result: { v: 1, pong: true, data: 'x' } });
    rpc.receive({ v: 1, id: '1', result: STATUS });
    await expect(a).resolves.toEqual(STATUS);
    await expect(b).resolves.toEqual({ v: 1, pong: true, data: 'x' });
  });

  it('rejects with the error the host sent, rebuilt with its code', async () => {
    const { rpc } = setup();
    const call = rpc.call('status');
    rpc.receive({ v: 1, id: '1', error: { code: 'SERVICE_UNAVAILABLE', message: 'down' } });
    await expect(call).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: 'down' });
  });

  it('rejects a reply that does not match the method result schema', async () => {
    const { rpc } = setup();
    const call = rpc.call('status');
    rpc.receive({ v: 1, id: '1', result: { pong: true } });
    await expect(call).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('times out, and then drops the late reply', async () => {
    vi.useFakeTimers();
    const { rpc } = setup(1000);
    const call = rpc.call('status');
    vi.advanceTimersByTime(1000);
    await expect(call).rejects.toMatchObject({ code: 'TIMEOUT' });
    rpc.receive({ v: 1, id: '1', result: STATUS });
    expect(rpc.pendingCount).toBe(0);
  });

  it('rejects every pending call, and every later call, when the port closes', async () => {
    const { rpc } = setup();
    const calls = [rpc.call('status'), rpc.call('version')];
    rpc.close('DISCONNECTED', 'Native host has exited.');
    for (const call of calls) await expect(call).rejects.toMatchObject({ code: 'DISCONNECTED', message: 'Native host has exited.' });
    await expect(rpc.call('status')).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(rpc.pendingCount).toBe(0);
  });

  it('hands pushes to the listener and ignores messages that are not host messages', () => {
    const { rpc, pushes } = setup();
    rpc.receive({ v: 1, event: 'service', data: { state: 'down', reason: 'r', retryInMs: 5 } });
    rpc.receive({ v: 1, event: 'surprise', data: {} });
    rpc.receive('garbage');
    expect(pushes).toEqual([{ v: 1, event: 'service', data: { state: 'down', reason: 'r', retryInMs: 5 } }]);
  });
});
