import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalApiClient } from '../../host/client/localapi-client.js';
import { startService, type RunningService } from '../../host/service/service.js';
import { encodeFrame } from '../../protocol/frame-codec.js';
import { RPC_MAX_FRAME_BYTES, RPC_PATH, RPC_UPGRADE, WatchEvent } from '../../protocol/localapi.js';
import { silentLogger } from '../fakes/logger.js';
import { tempDir } from '../support/waygate-process.js';

/** One plain HTTP request on the Unix socket, as `curl --unix-socket` would send it. */
function http(socketPath: string, method: string, path: string, body?: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers: body ? { 'content-type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('LocalAPI over its Unix socket', () => {
  let service: RunningService;
  let socket: string;
  let cleanup: () => Promise<void>;
  let tmp: { dir: string };

  beforeEach(async () => {
    const made = await tempDir('localapi');
    tmp = made;
    cleanup = made.cleanup;
    socket = join(tmp.dir, 'waygate.sock');
    service = await startService({ socketPath: socket, mode: 'user', logger: silentLogger, stateDir: join(tmp.dir, 'state'), systemProxy: 'off' });
  });
  afterEach(async () => {
    await service.close();
    await cleanup();
  });

  it('serves the route table over plain HTTP with errors as {code, message}', async () => {
    expect(await http(socket, 'GET', '/localapi/v1/status')).toMatchObject({ status: 200, json: { state: 'running', mode: 'user' } });
    expect(await http(socket, 'POST', '/localapi/v1/ping', '{"data":"x"}')).toEqual({ status: 200, json: { v: 1, pong: true, data: 'x' } });
    expect(await http(socket, 'POST', '/localapi/v1/ping', '{"data":1}')).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST' } });
    expect(await http(socket, 'POST', '/localapi/v1/ping', '{"data":')).toMatchObject({ status: 400, json: { code: 'BAD_REQUEST' } });
    expect(await http(socket, 'GET', '/localapi/v2/status')).toMatchObject({ status: 404, json: { code: 'UNKNOWN_METHOD' } });
  });

  it('streams a snapshot first, then every change, to a watcher', async () => {
    const client = new LocalApiClient(socket);
    const events: WatchEvent[] = [];
    const handle = await client.watch((e) => events.push(e));
    await expect.poll(() => events.length).toBe(1);
    service.store.update({ state: 'stopping' });
    await expect.poll(() => events.length).toBe(2);
    const first = events[0]!.status.revision;
    expect(events.map((e) => [e.kind, e.status.state, e.status.revision])).toEqual([
      ['snapshot', 'running', first],
      ['status', 'stopping', first + 1],
    ]);
    handle.close();
    await handle.done;
    await client.close();
  });

  it('answers calls over the RPC channel, and reopens it after the service restarts', async () => {
    const client = new LocalApiClient(socket);
    expect(await client.ping('a')).toEqual({ v: 1, pong: true, data: 'a' });
    await service.close();
    await expect(client.status()).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    service = await startService({ socketPath: socket, mode: 'user', logger: silentLogger, stateDir: join(tmp.dir, 'state'), systemProxy: 'off' });
    expect(await client.status()).toMatchObject({ state: 'running' });
    await client.close();
  });

  it('closes an RPC channel that sends something other than a request, and keeps serving others', async () => {
    const raw = await new Promise<import('node:net').Socket>((resolve, reject) => {
      const req = request({ socketPath: socket, path: RPC_PATH, headers: { connection: 'Upgrade', upgrade: RPC_UPGRADE } });
      req.once('upgrade', (_res, s) => resolve(s));
      req.once('error', reject);
      req.end();
    });
    const closed = new Promise((resolve) => raw.once('close', resolve));
    raw.write(encodeFrame({ v: 1, id: 1, route: 'reboot' }, RPC_MAX_FRAME_BYTES));
    await closed;
    const client = new LocalApiClient(socket);
    expect(await client.ping()).toEqual({ v: 1, pong: true });
    await client.close();
  });

  it('refuses an upgrade to anything but the RPC protocol', async () => {
    const status = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: socket, path: RPC_PATH, headers: { connection: 'Upgrade', upgrade: 'websocket' } });
      req.once('upgrade', () => resolve('upgraded'));
      req.once('response', (res) => resolve(String(res.statusCode)));
      req.once('error', (err) => resolve(err.message));
      req.end();
      setTimeout(() => reject(new Error('no answer')), 5000).unref();
    });
    expect(status).not.toBe('upgraded');
  });
});
