/**
 * The edge monitor against two real edges on loopback, measured with the real probe (probeEdge,
 * HTTP to /probe) on the real clock: the faster is chosen, and when it goes away the monitor fails
 * over to the other within the two seconds its fast probing promises.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Selection } from '../../../core/edge-selection.js';
import { systemClock } from '../../../host/service/clock.js';
import { EdgeMonitor } from '../../../host/service/edge-monitor.js';
import type { Edge } from '../../../protocol/policy.js';

interface FakeEdge {
  edge: Edge;
  server: Server;
}

/** An edge that answers only its /probe, after `delayMs`. */
async function startEdge(id: string, delayMs: number): Promise<FakeEdge> {
  const server = createServer((req, res) => {
    if (req.url !== '/probe') return void res.writeHead(404).end();
    setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const origin = `127.0.0.1:${address.port}`;
  return { server, edge: { id, region: `loopback ${id}`, proxyUrl: `http://${origin}`, tunnelUrl: `ws://${origin}/tunnel/v1` } };
}

function stopEdge({ server }: FakeEdge): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

let edges: FakeEdge[] = [];
let monitor: EdgeMonitor | null = null;

afterEach(async () => {
  monitor?.stop();
  await Promise.all(edges.filter(({ server }) => server.listening).map(stopEdge));
  edges = [];
});

describe('EdgeMonitor on loopback', () => {
  it('chooses the faster edge and fails over to the other within seconds of it going away', async () => {
    const [fast, slow] = (edges = await Promise.all([startEdge('fast', 0), startEdge('slow', 80)]));
    if (!fast || !slow) throw new Error('edges did not start');

    const events = new EventEmitter<{ selection: [Selection] }>();
    /** The next selection reported that satisfies `predicate`; call it before what should cause it. */
    const selectionWhere = (predicate: (selection: Selection) => boolean) =>
      new Promise<Selection>((resolve) => {
        const listener = (selection: Selection) => {
          if (!predicate(selection)) return;
          events.off('selection', listener);
          resolve(selection);
        };
        events.on('selection', listener);
      });

    monitor = new EdgeMonitor({
      edges: [slow.edge, fast.edge],
      selection: { strategy: 'lowest-latency', edges: ['slow', 'fast'], recheckSeconds: 30 },
      failOpen: { enabled: false, afterSeconds: 0 },
      clock: systemClock,
      onSelection: (selection) => events.emit('selection', selection),
    });

    const chosen = selectionWhere((selection) => selection.primary !== null);
    monitor.start();
    const first = await chosen;
    expect(first.primary?.id).toBe('fast');
    expect(first.secondary?.id).toBe('slow');
    expect(first.health).toBe('ok');

    const failedOver = selectionWhere((selection) => selection.primary?.id === 'slow');
    const closedAt = performance.now();
    await stopEdge(fast);
    const after = await failedOver;
    const tookMs = performance.now() - closedAt;

    expect(after.reason).toBe('failed over from fast (no answer in 2 rounds) to slow');
    expect(after.secondary).toBeNull();
    expect(after.latencyMs).toBeGreaterThanOrEqual(80);
    expect(tookMs).toBeLessThan(3_000);
  });
});
