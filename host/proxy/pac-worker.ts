/**
 * The PAC worker thread: runs PAC scripts in QuickJS engines (pac-engine.ts) for the main thread,
 * which owns the deadline and terminates this thread when a script overruns it — the one stop that
 * also ends a script stuck inside a long native call. Name lookups go to the main thread's resolver
 * (this thread blocks on the answer, pac-lookup-channel.ts), so this thread opens no sockets.
 *
 * Engines: one for the current script version, replaced after `recycleAfter` evaluations or when the
 * script changes; a replaced engine is disposed once its last evaluation has settled.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PacEngine, quickJsModule } from './pac-engine.js';
import { awaitLookup, beginLookup } from './pac-lookup-channel.js';
import { ToWorker, WorkerSettings, type FromWorker } from './pac-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('pac-worker.ts runs as a worker thread');
const settings = WorkerSettings.parse(workerData);

interface Slot {
  version: number;
  engine: Promise<PacEngine>;
  inFlight: number;
  retired: boolean;
}

const scripts = new Map<number, string>();
let current: Slot | null = null;
let lookupSeq = 0;

const post = (message: FromWorker) => port.postMessage(message);

const resolve = (host: string): string | null => {
  const seq = ++lookupSeq;
  beginLookup(settings.lookupBuffer);
  post({ type: 'resolve', seq, host });
  return awaitLookup(settings.lookupBuffer, seq, settings.resolveTimeoutMs);
};

function release(slot: Slot): void {
  if (!slot.retired || slot.inFlight > 0) return;
  slot.engine.then((engine) => engine.dispose()).catch(() => undefined);
}

function slotFor(version: number): Slot {
  if (current !== null && current.version === version && !current.retired) return current;
  if (current !== null) {
    current.retired = true;
    release(current);
  }
  const script = scripts.get(version);
  // Older versions are never asked for again.
  for (const known of scripts.keys()) if (known < version) scripts.delete(known);
  const engine = script === undefined ? Promise.reject(new Error(`no script loaded for version ${version}`)) : PacEngine.create(script, resolve, settings);
  engine.catch(() => undefined);
  current = { version, engine, inFlight: 0, retired: false };
  return current;
}

async function evaluate(message: Extract<ToWorker, { type: 'evaluate' }>): Promise<void> {
  const slot = slotFor(message.version);
  slot.inFlight++;
  try {
    const engine = await slot.engine;
    if (engine.calls + 1 >= settings.recycleAfter) slot.retired = true;
    const answer = await engine.evaluate(message.url, message.host, message.env);
    post(typeof answer === 'string' ? { type: 'result', id: message.id, answer } : { type: 'result', id: message.id, error: `FindProxyForURL returned ${describe(answer)}, not a string` });
  } catch (err) {
    post({ type: 'result', id: message.id, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  } finally {
    slot.inFlight--;
    release(slot);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

await quickJsModule();
post({ type: 'ready' });

port.on('message', (raw: unknown) => {
  const message = ToWorker.parse(raw);
  switch (message.type) {
    case 'load':
      scripts.set(message.version, message.script);
      return;
    case 'evaluate':
      void evaluate(message);
      return;
  }
});
