/**
 * Hostile PAC scripts in the sandbox: they reach no host object, module or file, and a script that
 * loops or allocates without end is stopped by its deadline — the worker terminated if need be —
 * while this thread's event loop keeps running and the next evaluation works.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { PacEnvironment } from '../../../../host/proxy/pac-functions.js';
import { PacEvaluationError, PacSandbox } from '../../../../host/proxy/pac-sandbox.js';

const ENV: PacEnvironment = { now: Date.UTC(2024, 0, 3), timezoneOffset: 0, myAddress: '192.0.2.1' };
const TIMEOUT_MS = 800;
const sandbox = new PacSandbox({ resolve: () => Promise.resolve(null), timeoutMs: TIMEOUT_MS, limits: { syncBudgetMs: 400 } });
afterAll(() => sandbox.close());

function run(body: string): Promise<string> {
  sandbox.setScript(`function FindProxyForURL(url, host) { ${body} }`);
  return sandbox.evaluate('http://probe.test/', 'probe.test', ENV);
}

/** Runs `work` while timing this thread's event loop: the longest gap between 10 ms ticks. */
async function withLoopWatch<T>(work: () => Promise<T>): Promise<{ result: PromiseSettledResult<T>; longestGapMs: number; ms: number }> {
  let last = performance.now();
  let longestGapMs = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    longestGapMs = Math.max(longestGapMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  const [result] = await Promise.allSettled([work()]);
  clearInterval(tick);
  return { result: result ?? { status: 'rejected', reason: new Error('no result') }, longestGapMs, ms: performance.now() - started };
}

describe('PAC sandbox: no way out', { timeout: 30_000 }, () => {
  it('sees no process, module system, timers, network or file APIs', async () => {
    const names = ['process', 'require', 'module', 'exports', 'Buffer', 'std', 'os', 'Deno', 'Bun', 'fetch', 'XMLHttpRequest', 'WebSocket', 'setTimeout', 'setInterval', 'WebAssembly', 'Worker', 'ArrayBuffer', 'SharedArrayBuffer', 'Atomics', 'Proxy', 'console'];
    expect(await run(`return [${names.map((n) => `typeof ${n}`).join(', ')}].join();`)).toBe(names.map(() => 'undefined').join());
    expect(await run('return typeof globalThis.process + typeof this.process;')).toBe('undefinedundefined');
  });

  it('reaches no host realm through constructors of built-ins or of the helper functions', async () => {
    expect(await run('var F = (function () {}).constructor; var f = F("return typeof process"); return f();')).toBe('undefined');
    expect(await run('var F = dnsDomainIs.constructor; var f = F("return typeof process + typeof require"); return f();')).toBe('undefinedundefined');
    expect(await run('var F = this.constructor.constructor; var f = F("return typeof process"); return f();')).toBe('undefined');
  });

  it('cannot load modules or files: each attempt fails the evaluation', async () => {
    for (const attempt of ['return require("fs").readFileSync("/etc/passwd", "utf8");', 'return import("fs");', 'return std.loadFile("/etc/passwd");', 'return os.readdir("/");']) {
      await expect(run(attempt), attempt).rejects.toBeInstanceOf(PacEvaluationError);
    }
  });

  it('gets nothing out of alert() (it would reach the service log)', async () => {
    expect(await run('alert("x"); return String(alert("y"));')).toBe('undefined');
  });
});

describe('PAC sandbox: runaway scripts are stopped, the thread stays responsive', { timeout: 30_000 }, () => {
  it.each([
    ['an endless loop', 'for (;;) {}'],
    ['an endless loop that catches the interrupt', 'for (;;) { try { for (;;) {} } catch (e) {} }'],
    ['allocation past the memory limit, inside native calls', 'var a = []; for (;;) a.push(new Array(100000).fill("x"));'],
  ])('%s fails by the deadline', async (_what, body) => {
    const watched = await withLoopWatch(() => run(body));
    expect(watched.result.status).toBe('rejected');
    if (watched.result.status === 'rejected') expect((watched.result.reason as PacEvaluationError).kind).toBe('timeout');
    expect(watched.ms).toBeLessThan(TIMEOUT_MS + 2_000);
    // A script run on this thread would stall it for the whole 400 ms budget.
    expect(watched.longestGapMs).toBeLessThan(200);
    expect(await run('return "DIRECT";')).toBe('DIRECT');
  });

  it.each([
    ['a string doubled without end', 'var s = "x"; for (;;) s = s + s;'],
    ['unbounded recursion', 'return (function f(n) { return f(n + 1) + 1; })(0);'],
    ['a huge array in one allocation', 'return new Array(1e9).fill(1).length;'],
  ])('%s fails with an error, not a crash', async (_what, body) => {
    await expect(run(body)).rejects.toMatchObject({ kind: expect.stringMatching(/^(script|timeout)$/) });
    expect(await run('return "DIRECT";')).toBe('DIRECT');
  });

  it('answers other evaluations again once a runaway one was stopped', async () => {
    sandbox.setScript('function FindProxyForURL(url, host) { if (host === "bad.test") { var a = []; for (;;) a.push(new Array(100000).fill("x")); } return "PROXY " + host + ":1"; }');
    const bad = sandbox.evaluate('http://bad.test/', 'bad.test', ENV);
    const good = sandbox.evaluate('http://good.test/', 'good.test', ENV);
    await expect(bad).rejects.toMatchObject({ kind: 'timeout' });
    // Queued behind the runaway one in the terminated worker: reported as restarted, for a retry.
    await expect(good).rejects.toMatchObject({ kind: 'restarted' });
    expect(await sandbox.evaluate('http://good.test/', 'good.test', ENV)).toBe('PROXY good.test:1');
  });
});
