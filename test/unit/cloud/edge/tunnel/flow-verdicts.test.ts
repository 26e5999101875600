import { describe, expect, it } from 'vitest';
import { FlowVerdicts } from '../../../../../cloud/edge/tunnel/flow-verdicts.js';

const HIGH = 0xffff_fffe;

describe('flow verdict cache', () => {
  it('remembers a verdict per destination and port', () => {
    const cache = new FlowVerdicts(8);
    cache.set(HIGH, 443, true);
    cache.set(HIGH, 22, false);
    cache.set(HIGH + 1, 443, false);
    expect(cache.get(HIGH, 443)).toBe(true);
    expect(cache.get(HIGH, 22)).toBe(false);
    expect(cache.get(HIGH + 1, 443)).toBe(false);
    expect(cache.get(HIGH, 80)).toBeUndefined();
    expect(cache.get(0, 443)).toBeUndefined();
  });

  it('keeps the largest address and port apart from their neighbours', () => {
    const cache = new FlowVerdicts(8);
    cache.set(0xffff_ffff, 0xffff, true);
    expect(cache.get(0xffff_ffff, 0xffff)).toBe(true);
    expect(cache.get(0xffff_fffe, 0xffff)).toBeUndefined();
    expect(cache.get(0xffff_ffff, 0xfffe)).toBeUndefined();
  });

  it('stays within its capacity by dropping the oldest flow', () => {
    const cache = new FlowVerdicts(3);
    for (let port = 1; port <= 5; port++) cache.set(1, port, true);
    expect(cache.size).toBe(3);
    expect(cache.get(1, 1)).toBeUndefined();
    expect(cache.get(1, 2)).toBeUndefined();
    expect(cache.get(1, 5)).toBe(true);
  });

  it('updates a flow in place when full', () => {
    const cache = new FlowVerdicts(2);
    cache.set(1, 1, true);
    cache.set(1, 2, true);
    cache.set(1, 1, false);
    expect(cache.get(1, 1)).toBe(false);
    expect(cache.get(1, 2)).toBe(true);
  });

  it('forgets everything on clear', () => {
    const cache = new FlowVerdicts(4);
    cache.set(1, 1, true);
    cache.clear();
    expect(cache.get(1, 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
