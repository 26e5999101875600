/**
 * One QuickJS engine (WebAssembly, via pac-resolver) running one PAC script. The script sees only
 * the PAC helper functions (pac-functions.ts) and the JavaScript built-ins it needs: no `process`,
 * `require`, module loader, file system, typed arrays or timers. The clock it reads (`new Date()`,
 * the date/time helpers) is the evaluation's `PacEnvironment`, not the host's.
 *
 * Compiling the script, each call, and each stretch after a name lookup get `syncBudgetMs` before
 * QuickJS's interrupt handler stops the script. That catches loops; it
 * does not catch everything (some built-ins allocate past the memory limit in one long native call,
 * see bench/RESULTS.md, local-proxy), which is why the proxy runs engines in a worker thread it can
 * terminate (pac-sandbox.ts).
 *
 * The engine leaks and slows down over many calls (shared/RECIPES.md): its owner replaces it every
 * ~10k calls, using `calls` and `dispose`.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createPacResolver } from 'pac-resolver';
import { Intrinsics, QuickJS } from 'quickjs-wasi';
import { pacFunctions, type PacEnvironment, type PacResolve } from './pac-functions.js';

export interface PacEngineLimits {
  /** QuickJS's allocation limit for the engine. */
  readonly memoryLimitBytes: number;
  /** How long one synchronous stretch of the script may run. */
  readonly syncBudgetMs: number;
}

export const DEFAULT_ENGINE_LIMITS: PacEngineLimits = { memoryLimitBytes: 32 * 1024 * 1024, syncBudgetMs: 200 };

/** What a PAC needs: no typed arrays, proxies, weak references, performance timers or DOMException. */
const INTRINSICS = Intrinsics.DATE | Intrinsics.EVAL | Intrinsics.REGEXP | Intrinsics.JSON | Intrinsics.MAP_SET | Intrinsics.PROMISE | Intrinsics.BIG_INT;

let wasm: Promise<WebAssembly.Module> | null = null;

/** The engine's WebAssembly, compiled once; resolved from node_modules so it also works from the bundle. */
export function quickJsModule(): Promise<WebAssembly.Module> {
  // The package does not export the .wasm path; it sits beside dist/, where its own loader finds it.
  const entry = createRequire(import.meta.url).resolve('quickjs-wasi');
  wasm ??= readFile(join(dirname(entry), '..', 'quickjs.wasm')).then((bytes) => WebAssembly.compile(bytes));
  return wasm;
}

interface EngineState {
  env: PacEnvironment;
  syncDeadline: number;
  disposed: boolean;
}

export class PacEngine {
  /** Evaluations started on this engine. */
  calls = 0;
  private constructor(
    private readonly vm: QuickJS,
    private readonly findProxy: (url: string, host: string) => Promise<unknown>,
    private readonly state: EngineState,
    private readonly syncBudgetMs: number,
  ) {}

  /** Compiles `script`; rejects when it does not compile or define FindProxyForURL in its budget. */
  static async create(script: string, resolve: PacResolve, limits: PacEngineLimits = DEFAULT_ENGINE_LIMITS): Promise<PacEngine> {
    const state: EngineState = { env: { now: Date.now(), timezoneOffset: 0, myAddress: '127.0.0.1' }, syncDeadline: performance.now() + limits.syncBudgetMs, disposed: false };
    const vm = await QuickJS.create({
      wasm: await quickJsModule(),
      memoryLimit: limits.memoryLimitBytes,
      intrinsics: INTRINSICS,
      interruptHandler: () => performance.now() > state.syncDeadline,
      timezoneOffset: () => state.env.timezoneOffset,
      // Date.now() and `new Date()` inside the script read the evaluation's clock.
      wasi: (memory) => ({
        clock_time_get(_clock: number, _precision: bigint, resultPtr: number): number {
          new DataView(memory.buffer).setBigUint64(resultPtr, BigInt(Math.trunc(state.env.now)) * 1_000_000n, true);
          return 0;
        },
      }),
    });
    // Time spent waiting for a name lookup does not count against the script's budget.
    const resumingResolve: PacResolve = (host) => {
      const address = resolve(host);
      state.syncDeadline = performance.now() + limits.syncBudgetMs;
      return address;
    };
    try {
      state.syncDeadline = performance.now() + limits.syncBudgetMs;
      const findProxy = createPacResolver(vm, script, { sandbox: pacFunctions(() => state.env, resumingResolve) });
      return new PacEngine(vm, (url, host) => findProxy(url, host), state, limits.syncBudgetMs);
    } catch (err) {
      vm.dispose();
      throw err;
    }
  }

  /** FindProxyForURL(url, host), as the script answers it (any value: the caller checks it). */
  evaluate(url: string, host: string, env: PacEnvironment): Promise<unknown> {
    if (this.state.disposed) return Promise.reject(new Error('the PAC engine was disposed'));
    this.calls++;
    this.state.env = env;
    this.state.syncDeadline = performance.now() + this.syncBudgetMs;
    return this.findProxy(url, host);
  }

  dispose(): void {
    if (this.state.disposed) return;
    this.state.disposed = true;
    this.vm.dispose();
  }
}
