import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DecisionWaits } from '../../../../../cloud/portal/enrollment/decision-waits.js';

const HOLD = 10_000;

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function ends(promise: Promise<string>): string[] {
  const seen: string[] = [];
  void promise.then((end) => seen.push(end));
  return seen;
}

describe('DecisionWaits', () => {
  it('wakes every wait of the decided authorization, and only those', async () => {
    const waits = new DecisionWaits();
    const signal = new AbortController().signal;
    const first = ends(waits.wait('a1', HOLD, signal));
    const second = ends(waits.wait('a1', HOLD, signal));
    const other = ends(waits.wait('a2', HOLD, signal));
    waits.decided('a1');
    await vi.advanceTimersByTimeAsync(0);
    expect([first, second, other]).toEqual([['decided'], ['decided'], []]);
    await vi.advanceTimersByTimeAsync(HOLD);
    expect(other).toEqual(['timeout']);
  });

  it('ends a wait when its hold runs out, and a later decision wakes nothing twice', async () => {
    const waits = new DecisionWaits();
    const seen = ends(waits.wait('a1', HOLD, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(HOLD - 1);
    expect(seen).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    waits.decided('a1');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['timeout']);
  });

  it('ends a wait when the device hangs up, or at once if it already has', async () => {
    const waits = new DecisionWaits();
    const hangUp = new AbortController();
    const seen = ends(waits.wait('a1', HOLD, hangUp.signal));
    hangUp.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['hung-up']);
    expect(await waits.wait('a1', HOLD, hangUp.signal)).toBe('hung-up');
  });

  it('on close wakes every wait, refuses new ones, and resolves once held work is done', async () => {
    const waits = new DecisionWaits();
    const signal = new AbortController().signal;
    const order: string[] = [];
    const held = waits.holding(async () => {
      const end = await waits.wait('a1', HOLD, signal);
      await Promise.resolve();
      order.push(`held work done after ${end}`);
    });
    const closed = waits.close().then(() => order.push('closed'));
    await Promise.all([held, closed]);
    expect(order).toEqual(['held work done after closing', 'closed']);
    expect(waits.closing).toBe(true);
    expect(await waits.wait('a2', HOLD, signal)).toBe('closing');
    expect(vi.getTimerCount()).toBe(0);
  });
});
