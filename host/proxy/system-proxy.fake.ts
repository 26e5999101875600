/**
 * A system proxy backend that changes nothing but its own memory, so the service's protection
 * lifecycle (apply on "enforce", restore on "none", logout, uninstall, recovery after a crash) is
 * tested without a desktop, an administrator or a registry.
 */
import { z } from 'zod';
import type { SavedSettings, SystemProxyBackend, SystemProxyTarget } from './system-proxy.js';

/** The fake "OS setting": what a user could have (none, manual) or what Waygate sets (pac). */
const FakeSettings = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('manual'), proxy: z.string() }),
  z.object({ mode: z.literal('pac'), url: z.string() }),
]);
export type FakeSettings = z.infer<typeof FakeSettings>;

export type FakeOperation = 'available' | 'snapshot' | 'apply' | 'restore';

export class FakeSystemProxyBackend implements SystemProxyBackend {
  readonly needs = 'nothing (a fake)';
  /** What the "OS" holds now. */
  settings: FakeSettings;
  isAvailable = true;
  /** Every call in order, e.g. `apply http://127.0.0.1:1/proxy.pac`, for asserting on order and count. */
  readonly calls: string[] = [];
  private readonly failures = new Map<FakeOperation, Error>();

  constructor(
    readonly name: string,
    initial: FakeSettings = { mode: 'none' },
  ) {
    this.settings = initial;
  }

  /** Makes every later `operation` reject with `error` (a missing tool, a refused write) until `succeed()`. */
  fail(operation: FakeOperation, error = new Error(`${this.name}: ${operation} failed (fake)`)): void {
    this.failures.set(operation, error);
  }

  succeed(operation: FakeOperation): void {
    this.failures.delete(operation);
  }

  available(): Promise<boolean> {
    return this.call('available', 'available', () => this.isAvailable);
  }

  snapshot(): Promise<SavedSettings> {
    return this.call('snapshot', 'snapshot', () => ({ ...this.settings }));
  }

  apply(target: SystemProxyTarget): Promise<void> {
    return this.call('apply', `apply ${target.url}`, () => {
      this.settings = { mode: 'pac', url: target.url };
    });
  }

  restore(saved: SavedSettings): Promise<void> {
    return this.call('restore', 'restore', () => {
      this.settings = FakeSettings.parse(saved);
    });
  }

  private call<T>(operation: FakeOperation, description: string, act: () => T): Promise<T> {
    this.calls.push(description);
    const failure = this.failures.get(operation);
    if (failure) return Promise.reject(failure);
    try {
      return Promise.resolve(act());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
}
