import { describe, expect, it } from 'vitest';
import { barLengths, describeData, donutArcs, niceMax, topN } from '../../../../../cloud/portal/admin-ui/chart-scale.js';

describe('axis scaling', () => {
  it.each([
    [0, 1],
    [1, 1],
    [3, 5],
    [7, 10],
    [11, 20],
    [21, 25],
    [26, 50],
    [0.3, 0.5],
    [100, 100],
    [101, 200],
  ])('niceMax(%d) = %d', (max, nice) => {
    expect(niceMax(max)).toBe(nice);
  });

  it('scales bars to the nice maximum, keeping small non-zero bars visible and zeros empty', () => {
    expect(barLengths([100, 50, 0], 200)).toEqual([200, 100, 0]);
    expect(barLengths([1000, 1], 200)).toEqual([200, 3]);
    expect(barLengths([7], 100)).toEqual([70]);
  });
});

describe('data shaping', () => {
  it('keeps the largest categories and sums the rest into Other', () => {
    const data = [
      { label: 'a', value: 1 },
      { label: 'b', value: 5 },
      { label: 'c', value: 3 },
      { label: 'd', value: 2 },
      { label: 'e', value: 0 },
    ];
    expect(topN(data, 3)).toEqual([
      { label: 'b', value: 5 },
      { label: 'c', value: 3 },
      { label: 'Other', value: 3 },
    ]);
    expect(topN(data, 10).map((d) => d.label)).toEqual(['b', 'c', 'd', 'a']);
  });

  it('describes a chart in words for its accessible name', () => {
    expect(describeData([{ label: 'Linux', value: 5 }, { label: 'macOS', value: 1200 }], 'devices')).toBe('Linux 5 devices, macOS 1,200 devices');
    expect(describeData([])).toBe('no data');
  });
});

describe('donut arcs', () => {
  const ring = { cx: 50, cy: 50, outer: 50, inner: 30 };

  it('starts at 12 o’clock and goes clockwise, one segment per non-zero datum', () => {
    const arcs = donutArcs(
      [
        { label: 'a', value: 1 },
        { label: 'zero', value: 0 },
        { label: 'b', value: 3 },
      ],
      ring,
    );
    expect(arcs.map((a) => [a.label, a.fraction])).toEqual([
      ['a', 0.25],
      ['b', 0.75],
    ]);
    expect(arcs[0]?.path).toBe('M 50 0 A 50 50 0 0 1 100 50 L 80 50 A 30 30 0 0 0 50 20 Z');
    // The larger segment needs the large-arc flag.
    expect(arcs[1]?.path).toContain('A 50 50 0 1 1 50 0');
  });

  it('draws a single whole datum as two half rings (one arc cannot close on itself)', () => {
    const [arc] = donutArcs([{ label: 'all', value: 4 }], ring);
    expect(arc?.fraction).toBe(1);
    expect(arc?.path.match(/M /g)).toHaveLength(2);
    expect(arc?.path).toContain('M 50 0 A 50 50 0 0 1 50 100');
  });

  it('draws nothing for no data', () => {
    expect(donutArcs([{ label: 'x', value: 0 }], ring)).toEqual([]);
  });
});
