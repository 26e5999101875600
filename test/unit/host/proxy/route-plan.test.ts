/**
 * Which PAC routes the local proxy tries, in which order: the PAC's order, proxies that could not be
 * reached moved last (until their time is up), loops to itself and clear-text tokens off the machine
 * left out.
 */
import { describe, expect, it } from 'vitest';
import { formatRoute, parsePacAnswer, type PacRoute, type ProxyRoute } from '../../../../host/proxy/pac-answer.js';
import { planRoutes } from '../../../../host/proxy/route-plan.js';
import { Upstreams } from '../../../../host/proxy/upstreams.js';

const SELF = 3128;

function routes(answer: string): PacRoute[] {
  return parsePacAnswer(answer) ?? [];
}

function setup() {
  const clock = { now: 0 };
  const upstreams = new Upstreams({ connectTimeoutMs: 1_000, deadForMs: 30_000, now: () => clock.now });
  const order = (answer: string) => planRoutes(routes(answer), SELF, upstreams).tryOrder.map(formatRoute);
  const down = (answer: string) => upstreams.markDead(routes(answer)[0] as ProxyRoute);
  return { clock, upstreams, order, down };
}

describe('planRoutes', () => {
  it('keeps the PAC order while every proxy is up', () => {
    expect(setup().order('HTTPS a.test:443; PROXY 127.0.0.1:8080; DIRECT')).toEqual(['HTTPS a.test:443', 'PROXY 127.0.0.1:8080', 'DIRECT']);
  });

  it('moves a proxy that could not be reached behind the others, and back when its time is up', () => {
    const { clock, order, down } = setup();
    down('HTTPS a.test:443');
    expect(order('HTTPS a.test:443; HTTPS b.test:443; DIRECT')).toEqual(['HTTPS b.test:443', 'DIRECT', 'HTTPS a.test:443']);
    clock.now = 29_999;
    expect(order('HTTPS a.test:443; HTTPS b.test:443')).toEqual(['HTTPS b.test:443', 'HTTPS a.test:443']);
    clock.now = 30_000;
    expect(order('HTTPS a.test:443; HTTPS b.test:443')).toEqual(['HTTPS a.test:443', 'HTTPS b.test:443']);
  });

  it('still tries proxies that are down, in order, when all of them are', () => {
    const { order, down } = setup();
    down('HTTPS a.test:443');
    down('HTTPS b.test:443');
    expect(order('HTTPS a.test:443; HTTPS b.test:443')).toEqual(['HTTPS a.test:443', 'HTTPS b.test:443']);
  });

  it('tells a proxy apart by scheme, host and port', () => {
    const { order, down } = setup();
    down('PROXY 127.0.0.1:8080');
    expect(order('HTTPS 127.0.0.1:8080; PROXY 127.0.0.1:8081; PROXY 127.0.0.1:8080')).toEqual(['HTTPS 127.0.0.1:8080', 'PROXY 127.0.0.1:8081', 'PROXY 127.0.0.1:8080']);
  });

  it('leaves out an answer naming the local proxy itself, and a plain PROXY off this machine', () => {
    const { upstreams } = setup();
    const plan = planRoutes(routes('PROXY 127.0.0.1:3128; PROXY localhost:3128; PROXY proxy.corp.test:8080; PROXY 127.0.0.1:8080; HTTPS proxy.corp.test:8443; DIRECT'), SELF, upstreams);
    expect(plan.tryOrder.map(formatRoute)).toEqual(['PROXY 127.0.0.1:8080', 'HTTPS proxy.corp.test:8443', 'DIRECT']);
    expect(plan.skipped).toEqual([
      { route: 'PROXY 127.0.0.1:3128', why: 'it names this local proxy' },
      { route: 'PROXY localhost:3128', why: 'it names this local proxy' },
      { route: 'PROXY proxy.corp.test:8080', why: expect.stringContaining('plain PROXY is used only on loopback') },
    ]);
  });
});
