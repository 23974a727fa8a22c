import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../src/engine/trainer';
import { bandKey, bandPath, bucketRows, extent, linePath, linearTicks, logTicks, runPoints, smoothEma, valuesNear, xValues } from '../src/ui/charts/series';

const rows = (n: number, f: (i: number) => Partial<MetricRow> = () => ({})): MetricRow[] =>
  Array.from({ length: n }, (_, i) => ({ step: i + 1, samples: (i + 1) * 8, trainLoss: 1 / (i + 1), batchSize: 8, lr: 0.1, temperature: 0.0125, wallMs: 2 * (i + 1), ...f(i) }) as MetricRow);

describe('x-axes', () => {
  it('gives steps, samples, cumulative η and seconds', () => {
    const r = rows(3, (i) => ({ lr: [0.1, 0.2, 0.05][i] }));
    expect(xValues(r, 'step')).toEqual([1, 2, 3]);
    expect(xValues(r, 'samples')).toEqual([8, 16, 24]);
    const lrSteps = xValues(r, 'lrSteps');
    expect(lrSteps[0]).toBeCloseTo(0.1);
    expect(lrSteps[1]).toBeCloseTo(0.3);
    expect(lrSteps[2]).toBeCloseTo(0.35);
    expect(xValues(r, 'time')).toEqual([0.002, 0.004, 0.006]);
  });
});

describe('debiased EMA smoothing', () => {
  it('matches TensorBoard on a hand computation', () => {
    const w = 0.6;
    const out = smoothEma([1, 2, 3], w);
    // acc1 = 0.4, acc2 = 0.24 + 0.8 = 1.04, acc3 = 0.624 + 1.2 = 1.824; debiased by 1 − wⁿ.
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(1.04 / (1 - 0.36), 12);
    expect(out[2]).toBeCloseTo(1.824 / (1 - 0.216), 12);
  });
  it('leaves a constant series unchanged and is the identity at weight 0', () => {
    expect(smoothEma([5, 5, 5, 5], 0.9).every((v) => Math.abs(v - 5) < 1e-12)).toBe(true);
    expect(smoothEma([1, 7, 3], 0)).toEqual([1, 7, 3]);
  });
  it('passes non-finite values through without poisoning later ones', () => {
    const out = smoothEma([1, NaN, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });
});

const opts = { axis: 'step' as const, logX: false, logY: true, smoothing: 0.9, buckets: 50 };

describe('runPoints', () => {
  it('smooths the training loss but draws the held-out loss as measured, only where evaluated', () => {
    const r = rows(100, (i) => ((i + 1) % 10 === 0 ? { evalLoss: 1 / (i + 1) } : {}));
    const train = runPoints('a', r, 'trainLoss', opts);
    expect(train.raw).toHaveLength(100);
    expect(train.smooth).toHaveLength(100);
    expect(train.smooth![50].y).toBeGreaterThan(train.raw[50].y); // a falling curve's EMA lags above it
    const held = runPoints('a', r, 'evalLoss', opts);
    expect(held.raw.map((p) => p.x)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(held.smooth).toBeNull();
  });
  it('drops points a log axis cannot show and non-finite losses', () => {
    const r = rows(4, (i) => ({ trainLoss: [1, 0, NaN, 2][i] }));
    const out = runPoints('a', r, 'trainLoss', { ...opts, logX: true, smoothing: 0 });
    expect(out.raw.map((p) => p.y)).toEqual([1, 2]);
    expect(out.smooth).toBeNull();
  });
});

describe('bucketRows: all runs on one shared x-grid', () => {
  it('gives one row per bucket, in x order, with each run\'s mean and its raw [min, max] band', () => {
    const a = runPoints('a', rows(10_000, (i) => ({ trainLoss: i === 5000 ? 100 : 1 + Math.sin(i) / 2 })), 'trainLoss', opts);
    const b = runPoints('b', rows(5_000), 'trainLoss', opts);
    const out = bucketRows([a, b], 100, false);
    expect(out).toHaveLength(100);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
    // A spike (e.g. the start of a divergence) survives in the band however many points there are.
    expect(out.some((row) => (row[bandKey('a')] as [number, number] | null)?.[1] === 100)).toBe(true);
    const lows = out.map((row) => (row[bandKey('a')] as [number, number])[0]);
    expect(Math.min(...lows)).toBe(Math.min(...a.raw.map((p) => p.y)));
    // Run b stopped half-way: nulls past its last point, values before.
    expect(out[10].b).not.toBeNull();
    expect(out[90].b).toBeNull();
    expect(out[90][bandKey('b')]).toBeNull();
  });
  it('averages the drawn values of a bucket', () => {
    const run = { id: 'r', raw: [1, 2, 3, 4].map((x) => ({ x, y: x * 10 })), smooth: null };
    const out = bucketRows([run], 2, false);
    expect(out.map((r) => r.r)).toEqual([15, 35]);
    expect(out[0][bandKey('r')]).toBeUndefined(); // no band for an unsmoothed curve
    expect(out[1].x).toBeLessThanOrEqual(4);
  });
  it('uses log-spaced buckets on a log axis, so the early steps keep their own rows', () => {
    const run = runPoints('a', rows(10_000), 'trainLoss', opts);
    const out = bucketRows([run], 50, true);
    expect(out.filter((r) => r.x <= 10).length).toBeGreaterThanOrEqual(8);
  });
  it('handles a single point and no points', () => {
    expect(bucketRows([{ id: 'a', raw: [{ x: 3, y: 1 }], smooth: null }], 10, false)).toEqual([{ x: 3, a: 1 }]);
    expect(bucketRows([{ id: 'a', raw: [], smooth: null }], 10, false)).toEqual([]);
  });
});

describe('SVG paths', () => {
  const sx = (v: number) => v * 10;
  const sy = (v: number) => 100 - v;
  it('draws a line through the values, connecting across rows without one', () => {
    const chartRows = [{ x: 1, a: 5 }, { x: 2, a: null }, { x: 3, a: 7 }];
    expect(linePath(chartRows, 'a', sx, sy)).toBe('M10.0,95.0L30.0,93.0');
    expect(linePath(chartRows, 'missing', sx, sy)).toBe('');
    expect(linePath(chartRows, 'a', sx, () => undefined)).toBe(''); // outside a scale's domain
  });
  it('closes one polygon per stretch of the band, upper edge forward and lower edge back', () => {
    const chartRows = [
      { x: 1, 'a~': [1, 3] as [number, number] },
      { x: 2, 'a~': [2, 4] as [number, number] },
      { x: 3, 'a~': null },
      { x: 4, 'a~': [0, 1] as [number, number] },
    ];
    expect(bandPath(chartRows, 'a~', sx, sy)).toBe('M10.0,97.0L20.0,96.0L20.0,98.0L10.0,99.0ZM40.0,99.0L40.0,100.0Z');
  });
});

describe('hover and axes', () => {
  it("reads each run's value nearest the cursor, skipping rows where a run has none", () => {
    const chartRows = [1, 2, 4, 8].map((x) => ({ x, a: x * 10, b: x < 4 ? x : null }));
    expect(valuesNear(chartRows, ['a', 'b'], 2.9)).toEqual([{ id: 'a', y: 20 }, { id: 'b', y: 2 }]);
    expect(valuesNear(chartRows, ['a', 'b'], 100)).toEqual([{ id: 'a', y: 80 }, { id: 'b', y: 2 }]);
    expect(valuesNear(chartRows, ['missing'], 3)).toEqual([]);
    expect(valuesNear([], ['a'], 1)).toEqual([]);
  });
  it('makes round ticks', () => {
    expect(linearTicks(0, 697)).toEqual([0, 200, 400, 600]);
    expect(linearTicks(0, 1000, 5)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(logTicks(0.05, 9)).toEqual([0.05, 0.1, 0.2, 0.5, 1, 2, 5]);
    expect(logTicks(0.05, 30)).toEqual([0.1, 1, 10]); // 9 candidates: thinned to the powers of ten
    expect(logTicks(1, 1e6)).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
    const narrow = logTicks(0.6, 1.2);
    expect(narrow.length).toBeGreaterThanOrEqual(3);
    expect(narrow.every((t) => t >= 0.6 && t <= 1.2)).toBe(true);
    expect(logTicks(0, 1)).toEqual([]);
  });
  it('computes the extent over all series', () => {
    expect(extent([[{ x: 1, y: 5 }], [{ x: 3, y: 2 }]])).toEqual({ x: [1, 3], y: [2, 5] });
    expect(extent([[]])).toBeNull();
  });
});
