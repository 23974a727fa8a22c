import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../src/engine/trainer';
import type { RunSpec } from '../src/spec/schema';
import { chartCurves, type CurvesInput } from '../src/ui/charts/curves';
import { runHistories } from '../src/ui/charts/histories';
import { PointsCache } from '../src/ui/charts/points';

const rows = (n: number, f: (i: number) => Partial<MetricRow> = () => ({})): MetricRow[] =>
  Array.from({ length: n }, (_, i) => ({ step: i + 1, samples: (i + 1) * 8, trainLoss: 1 / (i + 1), batchSize: 8, lr: 0.1, temperature: 0.0125, wallMs: 2 * (i + 1), ...f(i) }) as MetricRow);
const run = (id: string, seed: number, batchSize = 8): RunSpec => ({ id, seed, batchSize, learningRate: 0.1 }) as RunSpec;

/** Two seed twins (a, a2) and a run of its own (b), all evaluated every 2nd step, with the training-set loss. */
const runs = [run('a', 1), run('a2', 2), run('b', 1, 64)];
const evaluated = (i: number) => (i % 2 ? { evalLoss: 1 / (i + 1), trainSetLoss: 0.9 / (i + 1) } : {});
const metrics = { a: rows(10, evaluated), a2: rows(10, evaluated), b: rows(10, evaluated) };
const colors = new Map([
  ['a', 'red'],
  ['a2', 'red'],
  ['b', 'blue'],
]);
const input = (over: Partial<CurvesInput> = {}): CurvesInput => ({
  runs,
  histories: runHistories(runs, metrics),
  metric: 'evalLoss',
  companion: { metric: 'trainSetLoss', label: 'train set' },
  opts: { axis: 'step', logX: false, logY: false, smoothing: 0.6, buckets: 20 },
  colors,
  groups: null,
  members: 'faint',
  ...over,
});

describe('chartCurves: which curves a chart draws', () => {
  it('gives each run its curve and a dashed companion named "<id> (<label>)", in its colour', () => {
    const { curves, grid } = chartCurves(input(), new PointsCache());
    expect(curves.map((c) => [c.key, c.color, c.dashed])).toEqual([
      ['a', 'red', false],
      ['a (train set)', 'red', true],
      ['a2', 'red', false],
      ['a2 (train set)', 'red', true],
      ['b', 'blue', false],
      ['b (train set)', 'blue', true],
    ]);
    for (const c of curves) expect(grid.values.get(c.key)!.some((v) => !Number.isNaN(v))).toBe(true);
    // The held-out loss is drawn as measured: no band, no interval.
    expect(curves.every((c) => !c.band && !c.interval && !c.unresolved)).toBe(true);
  });

  it('leaves off a companion with no points, and has no companions without one', () => {
    const online = { a: rows(10, (i) => (i % 2 ? { evalLoss: 1 } : {})), a2: rows(10), b: rows(10) };
    const { curves } = chartCurves(input({ histories: runHistories(runs, online) }), new PointsCache());
    expect(curves.map((c) => c.key)).toEqual(['a', 'a2', 'b']);
    expect(chartCurves(input({ companion: undefined, metric: 'trainLoss' }), new PointsCache()).curves.map((c) => [c.key, c.band])).toEqual([
      ['a', true],
      ['a2', true],
      ['b', true],
    ]);
  });

  it('draws a seed group as its mean (and its companion’s mean) over faint or hidden members', () => {
    const faint = chartCurves(input({ groups: 'std' }), new PointsCache());
    const groups = faint.curves.filter((c) => c.group);
    expect(groups.map((c) => [c.key, c.color, c.dashed, c.band])).toEqual([
      ['a (mean of 2)', 'red', false, true],
      ['a (mean of 2) (train set)', 'red', true, true],
    ]);
    expect(faint.curves.filter((c) => c.faint).map((c) => c.key)).toEqual(['a', 'a (train set)', 'a2', 'a2 (train set)']);
    // The companion's group is the mean of the members' companions, not of their main curves.
    const mean = (key: string) => faint.grid.values.get(key)!.find((v) => !Number.isNaN(v));
    expect(mean('a (mean of 2) (train set)')).toBeCloseTo(mean('a (train set)')!, 12);
    expect(mean('a (mean of 2) (train set)')).not.toBeCloseTo(mean('a (mean of 2)')!, 6);

    const hidden = chartCurves(input({ groups: 'ci', members: 'hidden' }), new PointsCache());
    expect(hidden.curves.map((c) => c.key)).toEqual(['b', 'b (train set)', 'a (mean of 2)', 'a (mean of 2) (train set)']);
    expect(hidden.grid.values.has('a2')).toBe(true); // still on the grid: the group's mean is made of them
  });

  it('marks B_simple’s curve as an interval with "not resolved" and "estimating" stretches', () => {
    const noisy = { a: rows(6, (i) => (i === 0 ? { noiseEstimating: true } : i === 2 ? { noiseUnresolved: true } : { noiseScale: 10 + i, noiseScaleLow: 5, noiseScaleHigh: 20 })) };
    const { curves } = chartCurves(input({ runs: [runs[0]], histories: runHistories([runs[0]], noisy), metric: 'noiseScale', companion: undefined }), new PointsCache());
    expect(curves).toEqual([{ key: 'a', color: 'red', band: true, dashed: false, faint: false, unresolved: true, estimating: true, interval: true }]);
  });

});
