/**
 * Runs a PAC for one URL, the way a browser would, to explain where a request goes. QuickJS in
 * WebAssembly (pac-engine.ts) keeps the script away from the service's process and files, with the
 * same helper functions the local proxy uses (no network but name lookups); each evaluation gets
 * its own engine, a memory cap and a deadline, so a broken PAC yields an error.
 *
 * This runs on the caller's thread: unlike the local proxy's worker (pac-sandbox.ts), a hostile
 * script that allocates inside one long native call can hold it past the deadline. And as this
 * thread cannot block on a name lookup, a script that asks for one is run again once the names it
 * asked for are resolved (up to three rounds); a script that asks for none causes no lookup at all.
 */
import { lookup } from 'node:dns/promises';
import { WaygateError } from '../../protocol/errors.js';
import { firstInterfaceAddress, SYSTEM_CLOCK } from './pac-decider.js';
import { PacEngine } from './pac-engine.js';

const DEADLINE_MS = 1_000;
const ROUNDS = 3;

function lookupIPv4(host: string, timeoutMs: number): Promise<string | null> {
  return Promise.race([
    lookup(host, { family: 4 }).then(
      (found) => found.address,
      () => null,
    ),
    new Promise<null>((resolve) => setTimeout(() => resolve(null), timeoutMs).unref()),
  ]);
}

export async function evaluatePac(script: string, url: string): Promise<string> {
  const deadline = Date.now() + DEADLINE_MS;
  const answers = new Map<string, string | null>();
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    for (let round = 1; ; round++) {
      const asked = new Set<string>();
      const answer = await evaluateOnce(script, parsed.href, host, (name) => {
        if (answers.has(name)) return answers.get(name) ?? null;
        asked.add(name);
        return null;
      }, deadline);
      if (asked.size === 0 || round === ROUNDS) return answer;
      const names = [...asked];
      const found = await Promise.all(names.map((name) => lookupIPv4(name, Math.max(0, deadline - Date.now()))));
      names.forEach((name, i) => answers.set(name, found[i] ?? null));
    }
  } catch (err) {
    throw new WaygateError('BAD_REQUEST', `The PAC could not be evaluated for ${url}: ${err instanceof Error ? err.message : String(err)}.`);
  }
}

async function evaluateOnce(script: string, url: string, host: string, resolve: (name: string) => string | null, deadline: number): Promise<string> {
  let engine: PacEngine | null = null;
  let timer: NodeJS.Timeout | undefined;
  try {
    engine = await PacEngine.create(script, resolve);
    const now = SYSTEM_CLOCK.now();
    const answer = await Promise.race([
      engine.evaluate(url, host, { now, timezoneOffset: SYSTEM_CLOCK.timezoneOffset(now), myAddress: firstInterfaceAddress() }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), Math.max(0, deadline - Date.now()));
      }),
    ]);
    if (typeof answer !== 'string') throw new Error(`FindProxyForURL returned ${typeof answer}, not a string`);
    return answer;
  } finally {
    clearTimeout(timer);
    engine?.dispose();
  }
}
