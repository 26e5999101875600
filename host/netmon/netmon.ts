/**
 * Tells the service what network the device is on and when that changes: once at start, after each
 * burst of OS events that changed the snapshot, and after every wake from sleep.
 *
 * Lifecycle: `start()` subscribes to the source first and then reads, so a change during the first
 * read is not lost; `stop()` unsubscribes, cancels every timer and drops reads still in flight.
 *
 * - Source events are debounced: the read happens `debounceMs` after the last event of a burst, but
 *   never more than 4 × `debounceMs` after its first, so a chatty interface cannot starve it. Reads
 *   never overlap; an event during a read makes one more read after it.
 * - A read whose `snapshotKey` equals the last one's reports nothing.
 * - Wake: a timer ticks every 2 s. Timers do not run while the machine sleeps, so a tick that finds
 *   the wall clock moved more than `wakeGapMs` beyond the tick means the device slept: the network is
 *   read again and reported with cause 'wake' even if it looks the same (addresses survive sleep,
 *   but the network behind them may not, and the service re-checks trust and captive portals).
 * - A failed read is logged and dropped; the next event reads again. A pending 'wake' waits for the
 *   next successful read. Nothing is ever thrown out of the event loop, not even by `onChange`.
 */
import { createLogger, type Logger } from '../log.js';
import type { Clock } from '../service/clock.js';
import { snapshotKey, type NetworkSnapshot } from './snapshot.js';
import type { NetmonSource } from './source.js';

export type NetmonCause = 'start' | 'change' | 'wake';

export interface NetmonOptions {
  source: NetmonSource;
  clock: Clock;
  debounceMs?: number;
  wakeGapMs?: number;
  /** The first successful read is 'start'; after that 'change' or 'wake'. */
  onChange: (snapshot: NetworkSnapshot, cause: NetmonCause) => void;
  logger?: Logger;
}

export const WAKE_TICK_MS = 2_000;
const MAX_DEBOUNCE_FACTOR = 4;

export class Netmon {
  private readonly source: NetmonSource;
  private readonly clock: Clock;
  private readonly debounceMs: number;
  private readonly wakeGapMs: number;
  private readonly onChange: NetmonOptions['onChange'];
  private readonly logger: Logger;

  private snapshot: NetworkSnapshot | null = null;
  private key: string | null = null;
  private running = false;
  /** Bumped by start and stop, so a read that began before either is ignored when it ends. */
  private generation = 0;
  private stopWatch: (() => void) | null = null;
  private cancelDebounce: (() => void) | null = null;
  private cancelTick: (() => void) | null = null;
  private burstStartedAt: number | null = null;
  private lastTickAt = 0;
  private reading = false;
  private readAgain = false;
  private wakePending = false;

  constructor(options: NetmonOptions) {
    this.source = options.source;
    this.clock = options.clock;
    this.debounceMs = options.debounceMs ?? 250;
    this.wakeGapMs = options.wakeGapMs ?? 10_000;
    this.onChange = options.onChange;
    this.logger = options.logger ?? createLogger('netmon');
  }

  /** The last snapshot reported, or null before the first successful read. */
  get current(): NetworkSnapshot | null {
    return this.snapshot;
  }

  /** Starts watching; resolves once the first read has ended (reported, or failed and logged). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.generation += 1;
    this.stopWatch = this.source.watch(() => this.onEvent());
    this.lastTickAt = this.clock.now();
    this.scheduleTick();
    await this.read(this.generation);
  }

  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.generation += 1;
    this.stopWatch?.();
    this.cancelDebounce?.();
    this.cancelTick?.();
    this.stopWatch = this.cancelDebounce = this.cancelTick = null;
    this.burstStartedAt = null;
    this.reading = this.readAgain = this.wakePending = false;
  }

  private onEvent(): void {
    if (!this.running) return;
    const now = this.clock.now();
    this.burstStartedAt ??= now;
    const latest = this.burstStartedAt + MAX_DEBOUNCE_FACTOR * this.debounceMs;
    this.cancelDebounce?.();
    this.cancelDebounce = this.clock.schedule(Math.max(0, Math.min(this.debounceMs, latest - now)), () => {
      this.cancelDebounce = null;
      this.burstStartedAt = null;
      this.requestRead();
    });
  }

  private scheduleTick(): void {
    this.cancelTick = this.clock.schedule(WAKE_TICK_MS, () => {
      const now = this.clock.now();
      const late = now - this.lastTickAt - WAKE_TICK_MS;
      this.lastTickAt = now;
      this.scheduleTick();
      if (late > this.wakeGapMs) {
        this.logger.info({ sleptMs: late }, 'Woke from sleep; reading the network again.');
        this.wakePending = true;
        this.requestRead();
      }
    });
  }

  private requestRead(): void {
    if (!this.running) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    void this.read(this.generation);
  }

  private async read(generation: number): Promise<void> {
    this.reading = true;
    const wake = this.wakePending;
    try {
      let snapshot: NetworkSnapshot;
      try {
        snapshot = await this.source.read();
      } catch (error) {
        if (generation === this.generation) this.logger.warn({ err: error }, 'Reading the network failed; trying again at the next change.');
        return;
      }
      if (generation !== this.generation) return;
      this.report(snapshot, wake);
    } finally {
      if (generation === this.generation) {
        this.reading = false;
        if (this.readAgain) {
          this.readAgain = false;
          this.requestRead();
        }
      }
    }
  }

  private report(snapshot: NetworkSnapshot, wake: boolean): void {
    const key = snapshotKey(snapshot);
    const cause: NetmonCause = this.snapshot === null ? 'start' : wake ? 'wake' : 'change';
    if (wake) this.wakePending = false;
    if (cause === 'change' && key === this.key) return;
    this.snapshot = snapshot;
    this.key = key;
    try {
      this.onChange(snapshot, cause);
    } catch (error) {
      this.logger.error({ err: error }, 'A network change listener threw; carrying on.');
    }
  }
}
