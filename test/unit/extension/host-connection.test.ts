import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostLink } from '../../../extension/lib/connection-state.js';
import { HostConnection } from '../../../extension/lib/host-connection.js';
import { FakeNativePort } from '../../fakes/native-port.js';
import { STATUS } from './status-fixture.js';


function setup() {
  const ports: FakeNativePort[] = [];
  const links: HostLink[] = [];
  let lastError: string | undefined;
  const connection = new HostConnection({
    connectNative: () => {
      const port = new FakeNativePort();
      ports.push(port);
      return port;
    },
    lastError: () => lastError,
    onLink: (link) => links.push(link),
    now: () => Date.now(),
  });
  const drop = (port: FakeNativePort, error: string) => {
    lastError = error;
    port.drop();
    lastError = undefined;
  };
  /** Plays a host that answers the watch request and reports the service up. */
  const answerWatch = async (port: FakeNativePort) => {
    port.deliver({ v: 1, id: '1', result: { watching: true } });
    port.deliver({ v: 1, event: 'service', data: { state: 'up', status: STATUS } });
    await vi.advanceTimersByTimeAsync(0);
  };
  return { connection, ports, links, drop, answerWatch, last: () => links.at(-1) };
}

beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
afterEach(() => vi.useRealTimers());

describe('host connection', () => {
  it('connects, asks to watch, and reports connected with the service status', async () => {
    const { connection, ports, answerWatch, last } = setup();
    connection.start();
    expect(last()).toEqual({ state: 'connecting', since: 1_000_000 });
    expect(ports[0]!.posted).toEqual([{ v: 1, id: '1', method: 'watch' }]);
    await answerWatch(ports[0]!);
    expect(last()).toEqual({ state: 'connected', since: 1_000_000, service: { state: 'up', status: STATUS } });
    expect(connection.rpc).not.toBeNull();
  });

  it('reports the service going down and coming back through the host', async () => {
    const { connection, ports, answerWatch, last } = setup();
    connection.start();
    await answerWatch(ports[0]!);
    ports[0]!.deliver({ v: 1, event: 'service', data: { state: 'down', reason: 'connection reset', retryInMs: 100 } });
    expect(last()).toMatchObject({ state: 'connected', service: { state: 'down', reason: 'connection reset' } });
    ports[0]!.deliver({ v: 1, event: 'service', data: { state: 'up', status: STATUS } });
    expect(last()).toMatchObject({ state: 'connected', service: { state: 'up' } });
  });

  it('on disconnect records the browser reason, rejects pending calls, and retries with growing delays', async () => {
    const { connection, ports, drop, answerWatch, last } = setup();
    connection.start();
    await answerWatch(ports[0]!);
    const pending = connection.rpc!.call('status');
    drop(ports[0]!, 'Native host has exited.');
    await expect(pending).rejects.toMatchObject({ code: 'DISCONNECTED', message: 'Native host has exited.' });
    expect(last()).toEqual({ state: 'disconnected', reason: 'Native host has exited.', retryAt: 1_000_500 });
    expect(connection.rpc).toBeNull();

    await vi.advanceTimersByTimeAsync(500);
    expect(ports).toHaveLength(2);
    drop(ports[1]!, 'Native host has exited.');
    expect(last()).toMatchObject({ retryAt: Date.now() + 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    await answerWatch(ports[2]!);
    expect(last()).toMatchObject({ state: 'connected' });

    // A successful connection resets the backoff.
    drop(ports[2]!, 'Native host has exited.');
    expect(last()).toMatchObject({ retryAt: Date.now() + 500 });
  });

  it('says not-installed when the browser finds no host manifest, and retries slowly', () => {
    const { connection, ports, drop, last } = setup();
    connection.start();
    drop(ports[0]!, 'Specified native messaging host not found.');
    expect(last()).toEqual({ state: 'not-installed', reason: 'Specified native messaging host not found.', retryAt: 1_005_000 });
  });

  it('retries at once when asked, but not while connected', async () => {
    const { connection, ports, drop, answerWatch } = setup();
    connection.start();
    drop(ports[0]!, 'Specified native messaging host not found.');
    connection.retryNow();
    expect(ports).toHaveLength(2);
    await answerWatch(ports[1]!);
    connection.retryNow();
    expect(ports).toHaveLength(2);
    // The old timer was cancelled: no extra connection when it would have fired.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ports).toHaveLength(2);
  });

  it('ignores events from a port it already replaced', async () => {
    const { connection, ports, drop, answerWatch, last } = setup();
    connection.start();
    drop(ports[0]!, 'Native host has exited.');
    connection.retryNow();
    await answerWatch(ports[1]!);
    ports[0]!.deliver({ v: 1, event: 'service', data: { state: 'down', reason: 'stale', retryInMs: 1 } });
    drop(ports[0]!, 'stale');
    expect(last()).toMatchObject({ state: 'connected', service: { state: 'up' } });
  });
});
