import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../src/engine/trainer';
import { formatNumber } from '../src/ui/charts/format';
import { epochMarks } from '../src/ui/charts/epochs';
import { addGroupBands, bandNear, bucketGrid, curveEnds, flaggedNear, valuesNear, type Grid } from '../src/ui/charts/grid';
import { runHistories } from '../src/ui/charts/histories';
import { bandPath, linePath, pixelsX } from '../src/ui/charts/paths';
import { SMOOTHED_METRICS, PointsCache, metricValue, pointsExtent, runPoints, xValues, type RunPoints } from '../src/ui/charts/points';
import { linearTicks, logTicks } from '../src/ui/charts/ticks';

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

/** The smoothed training-loss curve of a run whose minibatch losses are `values`. */
const smoothEma = (values: number[], w: number) => {
  const p = runPoints('a', rows(values.length, (i) => ({ trainLoss: values[i] })), 'trainLoss', { axis: 'step', logX: false, logY: false, smoothing: w, buckets: 10 });
  return [...(p.smooth ?? p.y)];
};

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
  it('skips non-finite values without poisoning later ones', () => {
    const out = smoothEma([1, NaN, 1], 0.5);
    expect(out).toHaveLength(2);
    expect(out[1]).toBeCloseTo(1, 12);
  });
});

describe('points kept between redraws', () => {
  const opts = { axis: 'step' as const, logX: false, logY: true, smoothing: 0.9, buckets: 10 };
  it('extended by appended rows equal the points computed afresh; new rows of another history start over', () => {
    const all = rows(300, (i) => ({ trainLoss: 1 + Math.sin(i), noiseScale: 10 + i, noiseScaleLow: 5, noiseScaleHigh: 20 + i, ...(i % 7 === 0 ? { noiseUnresolved: true as const, noiseScale: undefined } : {}) }));
    const live = all.slice(0, 100);
    const cache = new PointsCache();
    for (const metric of ['trainLoss', 'noiseScale'] as const) {
      cache.points(`a-${metric}`, live, metric, opts);
      live.push(...all.slice(100, 250));
      expect(cache.points(`a-${metric}`, live, metric, opts)).toEqual(runPoints(`a-${metric}`, live, metric, opts));
      live.splice(100);
      // Other rows (a reset run): computed afresh, not appended to the old ones.
      const other = rows(50, (i) => ({ trainLoss: 2 + i, noiseScale: 3, noiseScaleLow: 1, noiseScaleHigh: 5 }));
      expect(cache.points(`a-${metric}`, other, metric, opts)).toEqual(runPoints(`a-${metric}`, other, metric, opts));
    }
    // A fork's history, rebuilt as a new array each time from the same rows, keeps its place.
    const parent = all.slice(0, 120);
    const fork = (n: number) => parent.slice(0, 100).concat(all.slice(200, 200 + n));
    cache.points('f', fork(10), 'trainLoss', opts, { start: 100 });
    expect(cache.points('f', fork(40), 'trainLoss', opts, { start: 100 })).toEqual(runPoints('f', fork(40), 'trainLoss', opts, { start: 100 }));
  });
});

const opts = { axis: 'step' as const, logX: false, logY: true, smoothing: 0.9, buckets: 50 };

describe('runPoints', () => {
  it('smooths the training loss but draws the held-out loss as measured, only where evaluated', () => {
    const r = rows(100, (i) => ((i + 1) % 10 === 0 ? { evalLoss: 1 / (i + 1) } : {}));
    const train = runPoints('a', r, 'trainLoss', opts);
    expect(train.y).toHaveLength(100);
    expect(train.smooth).toHaveLength(100);
    expect(train.smooth![50]).toBeGreaterThan(train.y[50]); // a falling curve's EMA lags above it
    const held = runPoints('a', r, 'evalLoss', opts);
    expect([...held.x]).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(held.smooth).toBeNull();
  });
  it('drops points a log axis cannot show and non-finite losses', () => {
    const r = rows(4, (i) => ({ trainLoss: [1, 0, NaN, 2][i] }));
    const out = runPoints('a', r, 'trainLoss', { ...opts, logX: true, smoothing: 0 });
    expect([...out.y]).toEqual([1, 2]);
    expect(out.smooth).toBeNull();
  });
});

/** Points from (x, y) pairs, drawn as measured. */
const measured = (id: string, pairs: Array<[number, number]>): RunPoints => ({ id, x: Float64Array.from(pairs, (p) => p[0]), y: Float64Array.from(pairs, (p) => p[1]), smooth: null });

describe('bucketGrid: all runs on one shared x-grid', () => {
  it('gives one slice per bucket, in x order, with each run\'s mean and its measured [min, max] band', () => {
    const a = runPoints('a', rows(10_000, (i) => ({ trainLoss: i === 5000 ? 100 : 1 + Math.sin(i) / 2 })), 'trainLoss', opts);
    const b = runPoints('b', rows(5_000), 'trainLoss', opts);
    const out = bucketGrid([a, b], 100, false);
    expect(out.x).toHaveLength(100);
    for (let i = 1; i < out.x.length; i++) expect(out.x[i]).toBeGreaterThan(out.x[i - 1]);
    // A spike (e.g. the start of a divergence) survives in the band however many points there are.
    const band = out.bands.get('a')!;
    expect(band.high.includes(100)).toBe(true);
    expect(Math.min(...band.low)).toBe(Math.min(...a.y));
    // Run b stopped half-way: no value past its last point, values before.
    expect(out.values.get('b')![10]).not.toBeNaN();
    expect(out.values.get('b')![90]).toBeNaN();
    expect(out.bands.get('b')!.low[90]).toBeNaN();
  });
  it('averages the drawn values of a bucket', () => {
    const out = bucketGrid([measured('r', [1, 2, 3, 4].map((x) => [x, x * 10]))], 2, false);
    expect([...out.values.get('r')!]).toEqual([15, 35]);
    expect(out.bands.has('r')).toBe(false); // no band for an unsmoothed curve
    expect(out.x[1]).toBeLessThanOrEqual(4);
  });
  it('puts points in the same slices in whatever order they come', () => {
    const pairs: Array<[number, number]> = Array.from({ length: 200 }, (_, i) => [1 + ((i * 37) % 200), i]);
    const sorted = [...pairs].sort((p, q) => p[0] - q[0]);
    for (const logX of [false, true]) {
      const a = bucketGrid([measured('r', pairs)], 16, logX);
      const b = bucketGrid([measured('r', sorted)], 16, logX);
      expect([...a.values.get('r')!].map((v) => v.toFixed(9))).toEqual([...b.values.get('r')!].map((v) => v.toFixed(9)));
    }
  });
  it('uses log-spaced buckets on a log axis, so the early steps keep their own slices', () => {
    const run = runPoints('a', rows(10_000), 'trainLoss', opts);
    const out = bucketGrid([run], 50, true);
    expect(out.x.filter((x) => x <= 10).length).toBeGreaterThanOrEqual(8);
    // Every step in 1…10 falls in a slice of its own or shares it only with its neighbour.
    expect(out.values.get('a')!.filter((v) => !Number.isNaN(v)).length).toBeGreaterThanOrEqual(8);
  });
  it('handles a single point and no points', () => {
    const one = bucketGrid([measured('a', [[3, 1]])], 10, false);
    expect([...one.x]).toEqual([3]);
    expect([...one.values.get('a')!]).toEqual([1]);
    expect(bucketGrid([measured('a', [])], 10, false).x).toHaveLength(0);
  });
});

describe('SVG paths', () => {
  const sx = (v: number) => v * 10;
  const sy = (v: number) => 100 - v;
  const grid: Grid = {
    x: Float64Array.from([1, 2, 3, 4]),
    values: new Map([['a', Float64Array.from([5, NaN, 7.25, NaN])]]),
    bands: new Map([['a', { low: Float64Array.from([1, 2, NaN, 0]), high: Float64Array.from([3, 4, NaN, 1]) }]]),
    unresolved: new Map(),
    estimating: new Map(),
  };
  const xs = pixelsX(grid, sx);
  it('draws a line through the values, connecting across slices without one', () => {
    expect(linePath(xs, grid.values.get('a'), sy)).toBe('M10,95L30,92.8');
    expect(linePath(xs, grid.values.get('missing'), sy)).toBe('');
    expect(linePath(xs, grid.values.get('a'), () => undefined)).toBe(''); // outside a scale's domain
    expect(linePath(pixelsX(grid, (v) => (v > 1 ? v : undefined)), grid.values.get('a'), sy)).toBe('M3,92.8');
  });
  it('closes one polygon per stretch of the band, upper edge forward and lower edge back', () => {
    expect(bandPath(xs, grid.bands.get('a'), sy)).toBe('M10,97L20,96L20,98L10,99ZM40,99L40,100Z');
    expect(bandPath(xs, undefined, sy)).toBe('');
  });
  it('reads a curve\'s first and last drawn values', () => {
    expect(curveEnds(grid, 'a')).toEqual({ first: 5, last: 7.25 });
    expect(curveEnds(grid, 'missing')).toBeNull();
  });
});

describe('hover and axes', () => {
  it("reads each run's value nearest the cursor, skipping rows where a run has none", () => {
    const x = [1, 2, 4, 8];
    const grid: Grid = {
      x: Float64Array.from(x),
      values: new Map([
        ['a', Float64Array.from(x, (v) => v * 10)],
        ['b', Float64Array.from(x, (v) => (v < 4 ? v : NaN))],
      ]),
      bands: new Map(),
      unresolved: new Map(),
      estimating: new Map(),
    };
    expect(valuesNear(grid, ['a', 'b'], 2.9)).toEqual([{ id: 'a', y: 20 }, { id: 'b', y: 2 }]);
    expect(valuesNear(grid, ['a', 'b'], 100)).toEqual([{ id: 'a', y: 80 }, { id: 'b', y: 2 }]);
    expect(valuesNear(grid, ['missing'], 3)).toEqual([]);
    expect(valuesNear(bucketGrid([], 10, false), ['a'], 1)).toEqual([]);
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
  it('computes the extent over all runs, reaching the rows where B_simple is not resolved', () => {
    expect(pointsExtent([measured('a', [[1, 5]]), measured('b', [[3, 2]])])).toEqual({ x: [1, 3], y: [2, 5] });
    expect(pointsExtent([{ ...measured('a', [[1, 5]]), unresolved: [7] }])).toEqual({ x: [1, 7], y: [5, 5] });
    expect(pointsExtent([measured('a', [])])).toBeNull();
  });
});

describe('metrics beyond the losses', () => {
  it('reads row fields and derives the noise-to-signal ratio B_simple / B', () => {
    const row = rows(1, () => ({ noiseScale: 64, noiseScaleLow: 32, noiseScaleHigh: 96, gradNorm: 2, batchSize: 16 }))[0];
    expect(metricValue(row, 'noiseRatio')).toBe(4);
    // B_simple without its interval (a record saved before rows stopped carrying one) is not drawn.
    expect(metricValue({ ...row, noiseScaleLow: undefined, noiseScaleHigh: undefined }, 'noiseScale')).toBeUndefined();
    expect(metricValue(row, 'gradNorm')).toBe(2);
    expect(metricValue(row, 'temperature')).toBe(0.0125);
    expect(metricValue(rows(1)[0], 'noiseRatio')).toBeUndefined();
    expect(metricValue(rows(1)[0], 'trainSetLoss')).toBeUndefined();
  });
  it('smooths the noisy per-step metrics only: not the EMA B_simple, the exact temperature or the averaged losses', () => {
    expect([...SMOOTHED_METRICS].sort()).toEqual(['gradNorm', 'trainLoss']);
    const r = rows(40, (i) => ({ gradNorm: 1 + (i % 2), noiseScale: 10 + i, noiseScaleLow: 5, noiseScaleHigh: 60, ...(i % 4 === 3 ? { trainSetLoss: 0.5 } : {}) }));
    const grad = runPoints('a', r, 'gradNorm', opts);
    expect(grad.smooth).not.toBeNull();
    expect(grad.smooth![39]).toBeGreaterThan(1.2);
    expect(grad.smooth![39]).toBeLessThan(1.8);
    for (const metric of ['noiseScale', 'noiseRatio', 'temperature', 'trainSetLoss'] as const) expect(runPoints('a', r, metric, opts).smooth).toBeNull();
    const ratio = runPoints('a', r, 'noiseRatio', opts);
    expect([ratio.x[5], ratio.y[5]]).toEqual([6, 15 / 8]);
    expect([...runPoints('a', r, 'trainSetLoss', opts).x]).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  });
});

describe('forks: a branch starts from its parent\'s point', () => {
  // The parent ran 100 steps; the fork branched after step 40 with B = 32, η = 0.05 and has 20 rows.
  const parent = rows(100, (i) => ({ gradNorm: i % 4 === 3 ? 1 : undefined, ...((i + 1) % 25 === 0 ? { evalLoss: 2 / (i + 1) } : {}) }));
  const own = Array.from({ length: 20 }, (_, i) => ({
    step: 41 + i,
    samples: 320 + 32 * (i + 1),
    trainLoss: 0.01,
    batchSize: 32,
    lr: 0.05,
    temperature: 0.05 / 32,
    wallMs: 80 + (i + 1),
    ...((41 + i) % 25 === 0 ? { evalLoss: 0.04 } : {}),
  })) as MetricRow[];
  const lineage = [{ id: 'p' }, { id: 'f', fork: { parent: 'p', atStep: 40 } }, { id: 'ff', fork: { parent: 'f', atStep: 50 } }];

  it('puts the parent\'s rows up to the fork step in front of the fork\'s own, down a chain of forks', () => {
    const own2 = own.slice(10).map((r) => ({ ...r, batchSize: 64 }));
    const [p, f, ff] = runHistories(lineage, { p: parent, f: own, ff: own2 });
    expect(p).toEqual({ id: 'p', rows: parent, start: 0 });
    expect(f.start).toBe(40);
    expect(f.rows.map((r) => r.step)).toEqual([...Array.from({ length: 40 }, (_, i) => i + 1), ...own.map((r) => r.step)]);
    expect(f.rows[39]).toBe(parent[39]); // the parent's row at step 40
    expect(ff.start).toBe(50);
    expect(ff.rows[49]).toBe(own[9]); // the fork's row at step 50, after the parent's 40
    expect(ff.rows.slice(50)).toEqual(own2);
  });
  it('leaves a fork that has not started, a fork at step 0 and an unknown parent as they are', () => {
    expect(runHistories(lineage, { p: parent })[1]).toEqual({ id: 'f', rows: [], start: 0 });
    expect(runHistories([{ id: 'p' }, { id: 'f', fork: { parent: 'p', atStep: 0 } }], { p: parent, f: own })[1].start).toBe(0);
    expect(runHistories([{ id: 'f', fork: { parent: 'nope', atStep: 40 } }], { f: own })[0]).toEqual({ id: 'f', rows: own, start: 0 });
  });
  it('draws the fork from the parent\'s point at the fork step, with x-values and smoothing carried on', () => {
    const f = runHistories(lineage, { p: parent, f: own })[1];
    const train = runPoints('f', f.rows, 'trainLoss', { ...opts, smoothing: 0 }, f);
    expect(train.x).toHaveLength(21);
    expect([train.x[0], train.y[0]]).toEqual([40, parent[39].trainLoss]);
    // η · steps: the parent's 40 steps at 0.1, then 0.05 a step.
    const lr = runPoints('f', f.rows, 'trainLoss', { ...opts, axis: 'lrSteps', smoothing: 0 }, f);
    expect(lr.x[0]).toBeCloseTo(4, 9);
    expect(lr.x[1]).toBeCloseTo(4.05, 9);
    expect(runPoints('f', f.rows, 'trainLoss', { ...opts, axis: 'samples' }, f).x[0]).toBe(320);
    // Smoothed over the whole history: the fork's first smoothed value is the parent's smoothed value there.
    const smoothed = runPoints('f', f.rows, 'trainLoss', opts, f);
    const parentSmoothed = runPoints('p', parent, 'trainLoss', opts);
    expect(smoothed.smooth![0]).toBeCloseTo(parentSmoothed.smooth![39], 12);
    expect(smoothed.y).toHaveLength(smoothed.smooth!.length);
  });
  it('starts a sparse curve at the parent\'s last value before the branch', () => {
    const f = runHistories(lineage, { p: parent, f: own })[1];
    // Held-out loss: the parent's evaluation at step 25, then the fork's at step 50.
    const held = runPoints('f', f.rows, 'evalLoss', opts, f);
    expect([[...held.x], [...held.y]]).toEqual([[25, 50], [2 / 25, 0.04]]);
    // Gradient norm: the parent's at step 40 (every 4th step); the fork has none of its own.
    const grad = runPoints('f', f.rows, 'gradNorm', { ...opts, smoothing: 0 }, f);
    expect([[...grad.x], [...grad.y]]).toEqual([[40], [1]]);
  });
  it('gives the same x-values as the axis itself, whatever rows a point skips', () => {
    const r = rows(30, (i) => ({ lr: 0.01 * (1 + (i % 3)), wallMs: 5 * i + 1, trainLoss: i % 4 === 0 ? NaN : 1 }));
    for (const axis of ['step', 'samples', 'lrSteps', 'time'] as const) {
      const xs = xValues(r, axis);
      const kept = r.flatMap((row, i) => (Number.isFinite(row.trainLoss) ? [xs[i]] : []));
      expect([...runPoints('a', r, 'trainLoss', { ...opts, axis, smoothing: 0 }).x]).toEqual(kept);
    }
  });
});

describe('epoch marks (offline)', () => {
  const hist = (id: string, B: number, n: number, start = 0, before = 0) => {
    const r = rows(n, (i) => ({ samples: before + (i + 1 - start) * B, batchSize: B }));
    return { id, rows: r, start };
  };
  it('marks every multiple of the training set on the samples axis, up to the furthest run', () => {
    const out = epochMarks([hist('a', 8, 100), hist('b', 32, 100)], 256, 'samples');
    expect(out.every).toBe(1);
    expect(out.marks).toEqual(Array.from({ length: 12 }, (_, i) => ({ x: 256 * (i + 1), run: null }))); // 3200 samples
  });
  it('marks, per run, the step at which its samples reach each multiple on the other axes', () => {
    const out = epochMarks([hist('a', 8, 100), hist('b', 100, 10)], 256, 'step');
    expect(out.every).toBe(1);
    expect(out.marks.filter((m) => m.run === 'a').map((m) => m.x)).toEqual([32, 64, 96]);
    expect(out.marks.filter((m) => m.run === 'b').map((m) => m.x)).toEqual([3, 6, 8]); // 300 ≥ 256, 600 ≥ 512, 800 ≥ 768
  });
  it('thins to every 2nd, 5th, 10th… epoch to stay within the cap', () => {
    const out = epochMarks([hist('a', 64, 1000)], 256, 'step', 30); // 250 epochs
    expect(out.every).toBe(10);
    expect(out.marks).toHaveLength(25);
    expect(out.marks[0]).toEqual({ x: 40, run: 'a' });
    const samples = epochMarks([hist('a', 64, 1000)], 256, 'samples', 30);
    expect(samples.every).toBe(10);
    expect(samples.marks.map((m) => m.x).slice(0, 2)).toEqual([2560, 5120]);
  });
  it('gives a fork only its own epochs and nothing to runs without rows', () => {
    // A fork whose first 40 rows are its parent's (320 samples), then 20 steps of 32.
    const f = hist('f', 32, 60, 40, 320);
    f.rows.forEach((r, i) => { if (i < 40) r.samples = (i + 1) * 8; });
    const out = epochMarks([f, { id: 'none', rows: [], start: 0 }], 256, 'step');
    expect(out.marks).toEqual([{ x: 46, run: 'f' }, { x: 54, run: 'f' }]); // 512 at its 6th step, 768 at its 14th
  });
});

describe('number format', () => {
  it('keeps axis ticks short', () => {
    expect(formatNumber(2e-4)).toBe('2e-4');
    expect(formatNumber(1.95e-4)).toBe('1.95e-4');
    expect(formatNumber(1.5e4)).toBe('1.5e+4');
    expect(formatNumber(0.0125)).toBe('0.0125');
    expect(formatNumber(1234.5678)).toBe('1235');
    expect(formatNumber(0)).toBe('0');
    expect(Number(formatNumber(1.05e-4))).toBe(1.05e-4);
  });
});

describe('B_simple intervals and seed groups on the bucketed grid', () => {
  const opts = { axis: 'step' as const, logX: false, logY: false, smoothing: 0.9, buckets: 4 };

  it('draws B_simple’s interval as its band and flags slices where it is not resolved', () => {
    // Steps 1–4 resolved with an interval, 5–8 not resolved (no value there).
    const r = rows(8, (i) => (i < 4 ? { noiseScale: 10, noiseScaleLow: 8, noiseScaleHigh: 14 } : { noiseUnresolved: true }));
    const points = runPoints('a', r, 'noiseScale', opts);
    expect([[...points.low!], [...points.high!]]).toEqual([[8, 8, 8, 8], [14, 14, 14, 14]]);
    expect(points.unresolved).toEqual([5, 6, 7, 8]);
    const ratio = runPoints('a', r, 'noiseRatio', opts);
    expect([ratio.low![0], ratio.high![0]]).toEqual([1, 14 / 8]);
    const grid = bucketGrid([points], 4, false);
    expect([...grid.values.get('a')!]).toEqual([10, 10, NaN, NaN]);
    expect([...grid.bands.get('a')!.low]).toEqual([8, 8, NaN, NaN]);
    expect([...grid.bands.get('a')!.high]).toEqual([14, 14, NaN, NaN]);
    expect([...grid.unresolved.get('a')!]).toEqual([0, 0, 1, 1]);
    expect(flaggedNear(grid, grid.unresolved, ['a'], 8)).toEqual(['a']);
    expect(flaggedNear(grid, grid.unresolved, ['a'], 1)).toEqual([]);
    expect(bandNear(grid, 'a', 8)).toEqual([8, 14]); // nearest slice that has one
  });

  it('draws no B_simple before its interval exists, and says where it is still estimating', () => {
    // Steps 1–3: measured, no interval yet (estimating); 4–8 with an interval.
    const r = rows(8, (i) => (i < 3 ? { noiseEstimating: true as const } : { noiseScale: 10, noiseScaleLow: 8, noiseScaleHigh: 14 }));
    const points = runPoints('a', r, 'noiseScale', opts);
    expect([...points.x]).toEqual([4, 5, 6, 7, 8]);
    expect(points.estimating).toEqual([1, 2, 3]);
    const grid = bucketGrid([points], 4, false);
    expect([...grid.estimating.get('a')!]).toEqual([1, 0, 0, 0]);
    expect(flaggedNear(grid, grid.estimating, ['a'], 1)).toEqual(['a']);
    expect(flaggedNear(grid, grid.estimating, ['a'], 8)).toEqual([]);
    // Only estimating rows so far: nothing to draw, and the chart has nothing to scale either.
    const early = runPoints('a', r.slice(0, 3), 'noiseScale', opts);
    expect([early.x.length, early.estimating]).toEqual([0, [1, 2, 3]]);
    expect(pointsExtent([early])).toBeNull();
  });

  it('breaks B_simple’s drawn line where it is not resolved, instead of bridging the stretch', () => {
    // Steps 1–3 resolved, 4–6 not resolved, 7–9 resolved again: two stretches, each its own subpath.
    const r = rows(9, (i) => (i >= 3 && i < 6 ? { noiseUnresolved: true } : { noiseScale: 10 + i, noiseScaleLow: 8, noiseScaleHigh: 30 }));
    const grid = bucketGrid([runPoints('a', r, 'noiseScale', opts)], 9, false);
    const xs = pixelsX(grid, (v) => v * 10);
    const d = linePath(xs, grid.values.get('a'), (v) => 100 - v, grid.unresolved.get('a'));
    expect(d.match(/M/g)).toHaveLength(2);
    expect(d.split('M').slice(1).map((part) => part.split('L').length)).toEqual([3, 3]);
    // A held-out loss, evaluated every few steps, has slices without a value but none unresolved: one line.
    const sparse = bucketGrid([runPoints('a', rows(9, (i) => (i % 3 === 2 ? { evalLoss: 1 / (i + 1) } : {})), 'evalLoss', opts)], 9, false);
    expect(linePath(pixelsX(sparse, (v) => v * 10), sparse.values.get('a'), (v) => 100 - v, sparse.unresolved.get('a')).match(/M/g)).toHaveLength(1);
  });

  it('a group is the mean of its members per slice, with ± std or the 95 % interval of the mean', () => {
    const grid: Grid = {
      x: Float64Array.from([1, 2, 3]),
      values: new Map([
        ['a', Float64Array.from([1, 2, NaN])],
        ['b', Float64Array.from([3, NaN, NaN])],
      ]),
      bands: new Map(),
      unresolved: new Map(),
      estimating: new Map(),
    };
    addGroupBands(grid, [{ key: 'g', runs: ['a', 'b'] }], 'std');
    const g = grid.values.get('g')!;
    const band = grid.bands.get('g')!;
    expect(g[0]).toBe(2);
    expect([band.low[0], band.high[0]]).toEqual([2 - Math.SQRT2, 2 + Math.SQRT2]);
    expect(g[1]).toBe(2); // one member there: its value, no spread
    expect([band.low[1], band.high[1]]).toEqual([2, 2]);
    expect([g[2], band.low[2]]).toEqual([NaN, NaN]); // no member there
    addGroupBands(grid, [{ key: 'g', runs: ['a', 'b'] }], 'ci');
    const [lo, hi] = [grid.bands.get('g')!.low[0], grid.bands.get('g')!.high[0]];
    expect(hi - 2).toBeCloseTo((12.706 * Math.SQRT2) / Math.SQRT2, 9);
    expect(lo).toBeCloseTo(2 - 12.706, 9);
  });

  it('breaks a group’s mean where no member is resolved, not where one still has a value', () => {
    const grid: Grid = {
      x: Float64Array.from([1, 2, 3, 4]),
      values: new Map([
        ['a', Float64Array.from([1, NaN, NaN, 2])],
        ['b', Float64Array.from([3, 4, NaN, 5])],
      ]),
      bands: new Map(),
      unresolved: new Map([
        ['a', Uint8Array.from([0, 1, 1, 0])],
        ['b', Uint8Array.from([0, 0, 1, 0])],
      ]),
      estimating: new Map(),
    };
    addGroupBands(grid, [{ key: 'g', runs: ['a', 'b'] }], 'std');
    expect([...grid.unresolved.get('g')!]).toEqual([0, 0, 1, 0]);
    expect(linePath(pixelsX(grid, (v) => v), grid.values.get('g'), (v) => v, grid.unresolved.get('g'))).toBe('M1,2L2,4M4,3.5');
  });
});
