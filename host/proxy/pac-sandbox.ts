/**
 * Runs PAC evaluations in a worker thread (pac-worker.ts) and holds each to a deadline. QuickJS's own
 * interrupt stops a looping script inside the worker; a script that overruns the deadline anyway (a
 * huge allocation spends seconds inside one native call, past the engine's memory limit) gets the
 * worker terminated, which frees its memory and cannot fail to stop it. The proxy's event loop never
 * runs the script, so it keeps serving meanwhile.
 *
 * Lifecycle: the worker starts on the first evaluation and after every termination; `close` ends it.
 * Evaluations in flight when the worker is terminated for another's overrun fail with `restarted`
 * (the caller may retry them once).
 *
 * Bundling: the worker is a separate module file beside this one (`pac-worker.ts` when running from
 * source under tsx, `pac-worker.mjs` beside the bundle).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DEFAULT_ENGINE_LIMITS, type PacEngineLimits } from './pac-engine.js';
import type { PacEnvironment, PacLookup } from './pac-functions.js';
import { answerLookup, newLookupBuffer } from './pac-lookup-channel.js';
import { FromWorker, type ToWorker, type WorkerSettings } from './pac-worker-protocol.js';

export type PacFailureKind = 'timeout' | 'script' | 'restarted' | 'crashed';

export class PacEvaluationError extends Error {
  override readonly name = 'PacEvaluationError';
  constructor(
    readonly kind: PacFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface PacSandboxOptions {
  resolve: PacLookup;
  /** The whole evaluation, DNS included; past it the worker is terminated. */
  timeoutMs?: number;
  /** A name lookup the script asked for answers null after this (the script waits for it). */
  resolveTimeoutMs?: number;
  limits?: Partial<PacEngineLimits>;
  /** A fresh engine after this many evaluations (shared/RECIPES.md: engines leak and slow down). */
  recycleAfter?: number;
}

interface Pending {
  resolve(answer: string): void;
  reject(err: PacEvaluationError): void;
  /** Starts the deadline: at once when the worker is ready, else when it says so. */
  start(): void;
  timer: NodeJS.Timeout | undefined;
}

const DEFAULT_TIMEOUT_MS = 1_000;
/** A worker that is not set up by then is given up on (its evaluations fail). */
const STARTUP_TIMEOUT_MS = 15_000;
const DEFAULT_RESOLVE_TIMEOUT_MS = 500;
/** The worker's JavaScript heap (the engine's WebAssembly memory is outside it and bounded by the deadline). */
const WORKER_HEAP_MB = 64;

/** From source, the worker registers tsx's loader before importing pac-worker.ts. */
function spawnWorker(settings: WorkerSettings): Worker {
  const options = { workerData: settings, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, stdout: false, stderr: false };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./pac-worker.mjs', import.meta.url), options);
  // The package's `require` entry, beside its ESM one, which the worker imports.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./pac-worker.ts', import.meta.url).href;
  return new Worker(`import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(worker)}); });`, { ...options, eval: true });
}

export class PacSandbox {
  private worker: Worker | null = null;
  private workerReady = false;
  private startupTimer: NodeJS.Timeout | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private script = '';
  private version = 0;
  private loadedVersion = -1;
  private closed = false;
  private readonly settings: WorkerSettings;
  private readonly timeoutMs: number;
  private readonly resolveTimeoutMs: number;

  constructor(private readonly options: PacSandboxOptions) {
    const limits = { ...DEFAULT_ENGINE_LIMITS, ...options.limits };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.resolveTimeoutMs = options.resolveTimeoutMs ?? DEFAULT_RESOLVE_TIMEOUT_MS;
    this.settings = {
      memoryLimitBytes: limits.memoryLimitBytes,
      syncBudgetMs: limits.syncBudgetMs,
      recycleAfter: options.recycleAfter ?? 10_000,
      resolveTimeoutMs: this.resolveTimeoutMs,
      lookupBuffer: newLookupBuffer(),
    };
  }

  /** The script later evaluations run; the worker gets it with the next one. */
  setScript(script: string): void {
    if (script === this.script) return;
    this.script = script;
    this.version++;
  }

  /** FindProxyForURL(url, host) → the script's answer string; rejects with a PacEvaluationError. */
  evaluate(url: string, host: string, env: PacEnvironment): Promise<string> {
    if (this.closed) return Promise.reject(new PacEvaluationError('crashed', 'the PAC sandbox is closed'));
    const worker = this.ensureWorker();
    if (this.loadedVersion !== this.version) {
      this.send(worker, { type: 'load', version: this.version, script: this.script });
      this.loadedVersion = this.version;
    }
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      // The deadline is the script's: a worker still starting up does not count against it.
      const pending: Pending = {
        resolve,
        reject,
        timer: undefined,
        start: () => {
          pending.timer ??= setTimeout(() => {
            this.pending.delete(id);
            reject(new PacEvaluationError('timeout', `the PAC did not answer within ${this.timeoutMs} ms`));
            this.restart(`another evaluation overran its ${this.timeoutMs} ms deadline`);
          }, this.timeoutMs);
        },
      };
      this.pending.set(id, pending);
      if (this.workerReady) pending.start();
      this.send(worker, { type: 'evaluate', id, version: this.version, url, host, env });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    clearTimeout(this.startupTimer);
    this.failAll('crashed', 'the PAC sandbox closed');
    this.worker = null;
    if (worker !== null) await worker.terminate();
  }

  private send(worker: Worker, message: ToWorker): void {
    worker.postMessage(message);
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    // A fresh lookup buffer per worker: a terminated worker's late answers cannot reach the next.
    const settings: WorkerSettings = { ...this.settings, lookupBuffer: newLookupBuffer() };
    const worker = spawnWorker(settings);
    // Pending evaluations hold their own timers; an idle worker must not keep the process alive.
    worker.unref();
    worker.on('message', (raw: unknown) => this.onMessage(worker, settings.lookupBuffer, raw));
    worker.on('error', (err: Error) => this.lost(worker, `the PAC worker failed: ${err.message}`));
    worker.on('exit', (code: number) => this.lost(worker, `the PAC worker exited (${code})`));
    const startup = setTimeout(() => {
      this.lost(worker, `the PAC worker did not start within ${STARTUP_TIMEOUT_MS} ms`);
      void worker.terminate();
    }, STARTUP_TIMEOUT_MS);
    worker.once('exit', () => clearTimeout(startup));
    this.startupTimer = startup;
    this.worker = worker;
    this.workerReady = false;
    this.loadedVersion = -1;
    return worker;
  }

  private onMessage(worker: Worker, lookupBuffer: SharedArrayBuffer, raw: unknown): void {
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success) return this.lost(worker, 'the PAC worker sent a malformed message');
    const message = parsed.data;
    if (message.type === 'ready') {
      if (this.worker !== worker) return;
      clearTimeout(this.startupTimer);
      this.workerReady = true;
      for (const pending of this.pending.values()) pending.start();
      return;
    }
    if (message.type === 'resolve') {
      void this.lookup(message.host).then((address) => {
        if (this.worker === worker) answerLookup(lookupBuffer, message.seq, address);
      });
      return;
    }
    const pending = this.pending.get(message.id);
    if (pending === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(pending.timer);
    if ('answer' in message) pending.resolve(message.answer);
    else pending.reject(new PacEvaluationError(message.error.startsWith('InternalError: interrupted') ? 'timeout' : 'script', message.error));
  }

  private lookup(host: string): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), this.resolveTimeoutMs);
      this.options.resolve(host).then(
        (address) => {
          clearTimeout(timer);
          resolve(address);
        },
        () => {
          clearTimeout(timer);
          resolve(null);
        },
      );
    });
  }

  /** Terminates the worker; a fresh one starts with the next evaluation. */
  private restart(why: string): void {
    const worker = this.worker;
    if (worker === null) return;
    clearTimeout(this.startupTimer);
    this.worker = null;
    this.failAll('restarted', why);
    void worker.terminate();
  }

  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    clearTimeout(this.startupTimer);
    this.worker = null;
    this.failAll('crashed', why);
  }

  private failAll(kind: PacFailureKind, why: string): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(new PacEvaluationError(kind, why));
    }
  }
}
