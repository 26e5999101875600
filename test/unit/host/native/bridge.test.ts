import { describe, expect, it } from 'vitest';
import { NativeBridge } from '../../../../host/native/bridge.js';
import type { HostMessage } from '../../../../protocol/native.js';
import { FakeLocalApiClient, STATUS, VERSION } from '../../../fakes/localapi-client.js';
import { silentLogger } from '../../../fakes/logger.js';

function setup() {
  const client = new FakeLocalApiClient();
  const sent: HostMessage[] = [];
  const fatal: string[] = [];
  const bridge = new NativeBridge({ client, send: (m) => sent.push(m), onFatal: (r) => fatal.push(r), logger: silentLogger });
  const request = async (value: unknown) => {
    bridge.handle({ kind: 'message', value, bytes: 0 });
    await bridge.drain();
  };
  return { client, sent, fatal, bridge, request };
}

describe('native bridge', () => {
  it('answers ping, status and version from the service', async () => {
    const { sent, request } = setup();
    await request({ v: 1, id: 'p', method: 'ping', params: { data: 'x' } });
    await request({ v: 1, id: 's', method: 'status' });
    await request({ v: 1, id: 'v', method: 'version', params: {} });
    expect(sent).toEqual([
      { v: 1, id: 'p', result: { v: 1, pong: true, data: 'x' } },
      { v: 1, id: 's', result: STATUS },
      { v: 1, id: 'v', result: VERSION },
    ]);
  });

  it('answers a malformed request whose id is known with a coded error, and carries on', async () => {
    const { sent, fatal, request } = setup();
    await request({ v: 2, id: 'a', method: 'status' });
    await request({ v: 1, id: 'b', method: 'reboot' });
    await request({ v: 1, id: 'c', method: 'ping', params: { data: 7 } });
    await request({ v: 1, id: 'd', method: 'status', params: { extra: true } });
    await request({ id: 'e' });
    expect(sent.map((m) => ('error' in m ? [m.id, m.error.code] : m))).toEqual([
      ['a', 'UNSUPPORTED_VERSION'],
      ['b', 'UNKNOWN_METHOD'],
      ['c', 'BAD_REQUEST'],
      ['d', 'BAD_REQUEST'],
      ['e', 'UNSUPPORTED_VERSION'],
    ]);
    expect(fatal).toEqual([]);
  });

  it('gives up on frames whose request id cannot be known', async () => {
    for (const value of [null, 3, 'x', [1], { v: 1, method: 'ping' }, { v: 1, id: 5, method: 'ping' }, { id: '' }]) {
      const { sent, fatal, request } = setup();
      await request(value);
      expect(sent, JSON.stringify(value)).toEqual([]);
      expect(fatal).toEqual(['message has no usable request id']);
    }
    const { bridge, fatal } = setup();
    bridge.handle({ kind: 'invalid', reason: 'frame is not valid JSON', bytes: 3 });
    bridge.handle({ kind: 'too-large', declared: 70_000_000, limit: 67_108_864 });
    expect(fatal).toEqual(['frame is not valid JSON', 'frame of 70000000 bytes exceeds the 67108864-byte limit']);
  });

  it('replies SERVICE_UNAVAILABLE while the service is down', async () => {
    const { client, sent, request } = setup();
    client.up = false;
    await request({ v: 1, id: 's', method: 'status' });
    expect(sent).toEqual([{ v: 1, id: 's', error: expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }) }]);
  });

  it('after watch, pushes the service link up, then down with the reason, then up again', async () => {
    const { client, sent, request, bridge } = setup();
    await request({ v: 1, id: 'w', method: 'watch' });
    await expect.poll(() => sent.length).toBe(2);
    expect(sent).toEqual([
      { v: 1, id: 'w', result: { watching: true } },
      { v: 1, event: 'service', data: { state: 'up', status: STATUS } },
    ]);
    client.kill();
    await expect.poll(() => sent.length).toBe(3);
    expect(sent[2]).toEqual({
      v: 1,
      event: 'service',
      data: { state: 'down', reason: expect.stringContaining('not reachable'), retryInMs: 100 },
    });
    client.up = true;
    await expect.poll(() => sent.at(-1)).toEqual({ v: 1, event: 'service', data: { state: 'up', status: STATUS } });
    bridge.stop();
  });
});
