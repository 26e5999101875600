/**
 * Messages between the proxy (main thread) and its PAC worker thread (pac-worker.ts). Both sides
 * parse what they receive: the worker runs an admin's script, so its replies are checked like any
 * other input.
 */
import { z } from 'zod';

const Environment = z.object({ now: z.number(), timezoneOffset: z.number(), myAddress: z.string() });

/** main → worker */
export const ToWorker = z.discriminatedUnion('type', [
  /** The script for evaluations that name `version` from now on. */
  z.object({ type: z.literal('load'), version: z.number().int(), script: z.string() }),
  z.object({ type: z.literal('evaluate'), id: z.number().int(), version: z.number().int(), url: z.string(), host: z.string(), env: Environment }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** worker → main */
export const FromWorker = z.union([
  /** Set up (the engine's WebAssembly compiled): deadlines start counting from here. */
  z.object({ type: z.literal('ready') }),
  /** `answer` is what FindProxyForURL returned when it was a string; otherwise `error` says what went wrong. */
  z.object({ type: z.literal('result'), id: z.number().int(), answer: z.string() }),
  z.object({ type: z.literal('result'), id: z.number().int(), error: z.string() }),
  /** The script called dnsResolve/isResolvable/isInNet: the main thread answers in the lookup buffer (pac-lookup-channel.ts). */
  z.object({ type: z.literal('resolve'), seq: z.number().int(), host: z.string() }),
]);
export type FromWorker = z.infer<typeof FromWorker>;

/** Settings fixed for the worker's life. */
export const WorkerSettings = z.object({
  memoryLimitBytes: z.number().int().positive(),
  syncBudgetMs: z.number().positive(),
  recycleAfter: z.number().int().positive(),
  /** How long the worker waits for a name lookup. */
  resolveTimeoutMs: z.number().positive(),
  lookupBuffer: z.instanceof(SharedArrayBuffer),
});
export type WorkerSettings = z.infer<typeof WorkerSettings>;
