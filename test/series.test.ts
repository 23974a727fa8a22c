import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../src/engine/trainer';
import { buildSeries, downsampleMinMax, extent, linearTicks, logTicks, nearestPoint, smoothEma, xValues } from '../src/ui/charts/series';

const rows = (n: number, f: (i: number) => Partial<MetricRow> = () => ({})): MetricRow[] =>
  Array.from({ length: n }, (_, i) => ({ step: i + 1, samples: (i + 1) * 8, trainLoss: 1 / (i + 1), lr: 0.1, wallMs: 2 * (i + 1), ...f(i) }));

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

describe('min/max downsampling', () => {
  it('keeps at most two points per bucket, in x order, and keeps the extremes', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ x: i + 1, y: i === 5000 ? 100 : Math.sin(i) }));
    const out = downsampleMinMax(points, 100, false);
    expect(out.length).toBeLessThanOrEqual(200);
    expect(out.length).toBeGreaterThan(100);
    for (let i = 1; i < out.length; i++) expect(out[i].x).toBeGreaterThan(out[i - 1].x);
    expect(out.some((p) => p.y === 100)).toBe(true); // a spike (e.g. divergence) survives
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...points.map((p) => p.y)));
  });
  it('returns short series untouched', () => {
    const points = [{ x: 1, y: 2 }, { x: 2, y: 3 }];
    expect(downsampleMinMax(points, 10, true)).toBe(points);
  });
  it('buckets in log space on a log axis, so the early points are not collapsed', () => {
    const points = Array.from({ length: 10_000 }, (_, i) => ({ x: i + 1, y: i }));
    const out = downsampleMinMax(points, 50, true);
    expect(out.filter((p) => p.x <= 10).length).toBeGreaterThanOrEqual(8);
  });
});

describe('buildSeries', () => {
  it('smooths the training loss but draws the held-out loss as measured, only where evaluated', () => {
    const r = rows(100, (i) => ((i + 1) % 10 === 0 ? { evalLoss: 1 / (i + 1) } : {}));
    const opts = { axis: 'step' as const, logX: false, logY: true, smoothing: 0.9, buckets: 1000 };
    const train = buildSeries(r, 'trainLoss', opts);
    expect(train.raw).toHaveLength(100);
    expect(train.smooth).toHaveLength(100);
    expect(train.smooth[50].y).toBeGreaterThan(train.raw[50].y); // a falling curve's EMA lags above it
    const held = buildSeries(r, 'evalLoss', opts);
    expect(held.raw.map((p) => p.x)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(held.smooth).toBe(held.raw);
  });
  it('drops points a log axis cannot show and non-finite losses', () => {
    const r = rows(4, (i) => ({ trainLoss: [1, 0, NaN, 2][i] }));
    const out = buildSeries(r, 'trainLoss', { axis: 'step', logX: true, logY: true, smoothing: 0, buckets: 10 });
    expect(out.raw.map((p) => p.y)).toEqual([1, 2]);
  });
});

describe('hover and axes', () => {
  it('finds the nearest point by x', () => {
    const pts = [1, 2, 4, 8].map((x) => ({ x, y: x * 10 }));
    expect(nearestPoint(pts, 2.9)?.x).toBe(2);
    expect(nearestPoint(pts, 3.1)?.x).toBe(4);
    expect(nearestPoint(pts, 100)?.x).toBe(8);
    expect(nearestPoint([], 1)).toBeNull();
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
