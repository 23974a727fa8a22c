/**
 * Turning metric rows into what a chart draws: the chosen x-axis, TensorBoard's debiased EMA smoothing,
 * and one shared grid of x-buckets for all runs, so 16 runs × 10,000 steps stay cheap to draw in SVG.
 * Pure functions (and one cache of points between redraws): no React, unit-tested.
 */
import type { MetricRow } from '../../engine/trainer';
import type { XAxis } from '../../spec/view';
import { meanBand, type BandMode } from '../../engine/groups';

/**
 * The x-coordinate of row after row on an axis: steps, samples, Σ η over steps so far, or seconds of
 * compute. A fresh reader per pass over a history (Σ η carries from row to row).
 */
function axisReader(axis: XAxis): (row: MetricRow) => number {
  switch (axis) {
    case 'step':
      return (r) => r.step;
    case 'samples':
      return (r) => r.samples;
    case 'time':
      return (r) => r.wallMs / 1000;
    case 'lrSteps': {
      let sum = 0;
      return (r) => (sum += r.lr);
    }
  }
}

/** The x-coordinate of each row. */
export function xValues(rows: MetricRow[], axis: XAxis): number[] {
  return rows.map(axisReader(axis));
}

/**
 * Everything a chart can draw: a metric row's field, or `noiseRatio` = B_simple / B (noiseScale over the
 * batch size in force at that step): above 1, gradient noise outweighs the signal in a step.
 */
export type Metric = 'trainLoss' | 'evalLoss' | 'trainSetLoss' | 'gradNorm' | 'temperature' | 'noiseScale' | 'noiseRatio';

/** A row's value of `metric`, or undefined where the row has none. */
export function metricValue(row: MetricRow, metric: Metric): number | undefined {
  if (metric === 'noiseRatio') return row.noiseScale === undefined ? undefined : row.noiseScale / row.batchSize;
  return row[metric];
}

/**
 * A row's interval of `metric` where it has one: B_simple's 95 % interval (and over B for the ratio).
 */
export function metricInterval(row: MetricRow, metric: Metric): [number, number] | undefined {
  if (row.noiseScaleLow === undefined || row.noiseScaleHigh === undefined) return undefined;
  if (metric === 'noiseScale') return [row.noiseScaleLow, row.noiseScaleHigh];
  if (metric === 'noiseRatio') return [row.noiseScaleLow / row.batchSize, row.noiseScaleHigh / row.batchSize];
  return undefined;
}

/** Metrics that are B_simple: where its |G|² is not resolved a row says so instead of a value. */
const NOISE_SCALE_METRICS: ReadonlySet<Metric> = new Set<Metric>(['noiseScale', 'noiseRatio']);

/**
 * The metrics measured afresh on each step's minibatch, noisy enough to smooth. The others are drawn as
 * measured: held-out and training-set losses are averages over a fixed set, B_simple is already an EMA,
 * and the temperature η/B is exact.
 */
export const SMOOTHED_METRICS: ReadonlySet<Metric> = new Set<Metric>(['trainLoss', 'gradNorm']);

/**
 * What a run's curve is drawn from: its `rows` and, for a fork, its parent's history up to the fork step
 * in front of them (`start` is the index of the fork's own first row, 0 for a run that is not a fork).
 * The history makes cumulative x-values (η · steps) and the smoothing carry on from the parent, and lets
 * the fork's curve begin at the parent's last point before the branch.
 */
export interface RunHistory {
  id: string;
  rows: MetricRow[];
  start: number;
}

/** What `runHistories` needs of a run: its id and, for a fork, its parent and fork step. */
export interface RunLineage {
  id: string;
  fork?: { parent: string; atStep: number };
}

/**
 * Each run's history. A fork with rows of its own gets its parent's history (itself possibly a fork's) up
 * to and including step `fork.atStep` in front of them; a fork that has not started, or whose parent is
 * unknown, is just its own rows. Runs come in experiment order, where a parent precedes its forks.
 */
export function runHistories(runs: RunLineage[], metrics: Record<string, MetricRow[] | undefined>): RunHistory[] {
  const byId = new Map<string, RunHistory>();
  return runs.map((run) => {
    const own = metrics[run.id] ?? [];
    const parent = run.fork && byId.get(run.fork.parent);
    let history: RunHistory = { id: run.id, rows: own, start: 0 };
    if (run.fork && parent && own.length) {
      const cut = firstIndexAbove(parent.rows, (r) => r.step, run.fork.atStep);
      if (cut > 0) history = { id: run.id, rows: parent.rows.slice(0, cut).concat(own), start: cut };
    }
    byId.set(run.id, history);
    return history;
  });
}

/** The first index whose key is greater than `value` (rows sorted by key), or rows.length. */
function firstIndexAbove<T>(rows: T[], key: (row: T) => number, value: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(rows[mid]) > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface SeriesOptions {
  axis: XAxis;
  logX: boolean;
  logY: boolean;
  smoothing: number;
  buckets: number;
}

/**
 * A run's points for a metric, as columns: the i-th point is (x[i], y[i]). Columns of numbers, not an
 * object per point: 16 runs × 10,000 steps on seven charts would otherwise be millions of small objects,
 * and the garbage collector's pauses in the middle of a redraw were what made the page's long tasks.
 */
export interface RunPoints {
  id: string;
  x: Float64Array;
  /** The measured values. */
  y: Float64Array;
  /** The smoothed curve; null when the metric is drawn as measured (see SMOOTHED_METRICS, or smoothing off). */
  smooth: Float64Array | null;
  /** An interval per point (B_simple's), drawn as the band instead of the measured values' spread. */
  low?: Float64Array;
  high?: Float64Array;
  /** x of the rows where B_simple is not resolved (B_simple ≫ B). */
  unresolved?: number[];
}

/** A column of numbers that grows by doubling, read as a view of what it holds. */
class Column {
  private data = new Float64Array(64);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(2 * this.data.length);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }

  from(start: number): Float64Array {
    return this.data.subarray(start, this.length);
  }
}

/** One run's points so far: extended row by row as rows are appended (rows only ever grow at the end). */
interface PointsState {
  /** Rows consumed, and the last of them (to see that the rows are still the same history). */
  rows: number;
  last: MetricRow | undefined;
  x: Column;
  y: Column;
  smooth: Column | null;
  low?: Column;
  high?: Column;
  unresolved?: number[];
  /** Index of the last point before a fork's own rows. */
  lead: number;
  /** Each row's x, in order. */
  xOf: (row: MetricRow) => number;
  /** The debiased EMA's accumulator and count. */
  acc: number;
  n: number;
}

function newState(metric: Metric, opts: SeriesOptions): PointsState {
  const noise = NOISE_SCALE_METRICS.has(metric);
  const smoothed = !noise && SMOOTHED_METRICS.has(metric) && opts.smoothing > 0;
  return {
    rows: 0,
    last: undefined,
    x: new Column(),
    y: new Column(),
    smooth: smoothed ? new Column() : null,
    ...(noise ? { low: new Column(), high: new Column(), unresolved: [] } : {}),
    lead: 0,
    xOf: axisReader(opts.axis),
    acc: 0,
    n: 0,
  };
}

/**
 * Consumes the rows not yet in `state`. The smoothing is TensorBoard's: an EMA with weight `opts.smoothing`
 * on the previous value, divided by (1 − weightⁿ) so the first points are not pulled towards zero; it
 * continues from where the last call stopped.
 */
function extend(state: PointsState, rows: MetricRow[], metric: Metric, opts: SeriesOptions, start: number): void {
  const w = opts.smoothing;
  for (let i = state.rows; i < rows.length; i++) {
    const row = rows[i];
    const x = state.xOf(row);
    if (state.unresolved && row.noiseUnresolved && i >= start && !(opts.logX && x <= 0)) state.unresolved.push(x);
    const y = metricValue(row, metric);
    if (y === undefined || !Number.isFinite(y)) continue;
    if ((opts.logX && x <= 0) || (opts.logY && y <= 0)) continue;
    if (i < start) state.lead = state.x.length;
    state.x.push(x);
    state.y.push(y);
    if (state.smooth) {
      state.acc = state.acc * w + (1 - w) * y;
      state.n++;
      state.smooth.push(state.acc / (1 - w ** state.n));
    }
    if (state.low && state.high) {
      // Without an interval (its first measurements), the band is the point itself; on a log axis a lower
      // bound at 0 is drawn at a thousandth of the value.
      const [lo, hi] = metricInterval(row, metric) ?? [y, y];
      state.low.push(opts.logY ? Math.max(lo, y / 1000) : lo);
      state.high.push(hi);
    }
  }
  state.rows = rows.length;
  state.last = rows[rows.length - 1];
}

function output(id: string, s: PointsState): RunPoints {
  const points: RunPoints = { id, x: s.x.from(s.lead), y: s.y.from(s.lead), smooth: s.smooth && s.smooth.from(s.lead) };
  if (s.low && s.high) Object.assign(points, { low: s.low.from(s.lead), high: s.high.from(s.lead), unresolved: s.unresolved });
  return points;
}

/**
 * One run's points. Noisy per-step metrics (SMOOTHED_METRICS) are smoothed; the rest are drawn as
 * measured. Points a log axis cannot show are dropped. With a fork's history (`history.start` > 0) the
 * x-values and the smoothing run over the whole history, and the points kept are the fork's own plus the
 * last one before it (the parent's value where the branch leaves).
 */
export function runPoints(id: string, rows: MetricRow[], metric: Metric, opts: SeriesOptions, history: { start?: number } = {}): RunPoints {
  const state = newState(metric, opts);
  extend(state, rows, metric, opts, history.start ?? 0);
  return output(id, state);
}

/**
 * runPoints, kept per curve between redraws: a redraw consumes only the rows appended since the last one,
 * so its cost no longer grows with the length of training (16 runs × 10,000 steps: see the README's
 * benchmark). A curve starts over when its settings change or its rows are no longer the ones it consumed.
 */
export class PointsCache {
  private states = new Map<string, { key: string; state: PointsState }>();

  points(id: string, rows: MetricRow[], metric: Metric, opts: SeriesOptions, history: { start?: number } = {}): RunPoints {
    const start = history.start ?? 0;
    const key = `${metric}|${opts.axis}|${opts.logX}|${opts.logY}|${opts.smoothing}|${start}`;
    let entry = this.states.get(id);
    const stale = !entry || entry.key !== key || entry.state.rows > rows.length || (entry.state.rows > 0 && rows[entry.state.rows - 1] !== entry.state.last);
    if (stale) this.states.set(id, (entry = { key, state: newState(metric, opts) }));
    extend(entry!.state, rows, metric, opts, start);
    return output(id, entry!.state);
  }

  /** Forgets the curves not drawn any more. */
  keep(ids: ReadonlySet<string>): void {
    for (const id of this.states.keys()) if (!ids.has(id)) this.states.delete(id);
  }
}

/**
 * Where epochs end, for the offline regime's training set of `trainSize` samples. On the samples axis,
 * one mark (run null) at every multiple of the epoch size up to the furthest run; on the other axes, one
 * per run at its first row whose cumulative samples reach a multiple (a fork marks only its own epochs).
 * Marks are thinned to every `every`-th epoch (1, 2, 5, 10, 20, …) so there are at most `maxMarks`.
 */
export function epochMarks(
  histories: RunHistory[],
  trainSize: number,
  axis: XAxis,
  maxMarks = 30,
): { marks: Array<{ x: number; run: string | null }>; every: number } {
  const epochsOf = (samples: number) => Math.floor(samples / trainSize);
  const spans = histories
    .filter((h) => h.rows.length > h.start)
    .map((h) => ({ h, before: h.start > 0 ? h.rows[h.start - 1].samples : 0, last: h.rows[h.rows.length - 1].samples }));
  const total = axis === 'samples' ? epochsOf(Math.max(0, ...spans.map((s) => s.last))) : spans.reduce((n, s) => n + epochsOf(s.last) - epochsOf(s.before), 0);
  const every = niceAtLeast(total / maxMarks);
  const size = every * trainSize;
  const marks: Array<{ x: number; run: string | null }> = [];
  if (axis === 'samples') {
    const last = Math.max(0, ...spans.map((s) => s.last));
    for (let x = size; x <= last; x += size) marks.push({ x, run: null });
    return { marks, every };
  }
  for (const { h, before, last } of spans) {
    // Only here, off the samples axis and for runs that reach an epoch, are the rows' x-values needed.
    const xs = Math.floor(last / size) > Math.floor(before / size) ? xValues(h.rows, axis) : [];
    for (let m = Math.floor(before / size) + 1; m * size <= last; m++) {
      const i = firstIndexAbove(h.rows, (r) => r.samples, m * size - 1);
      if (i < h.rows.length && Number.isFinite(xs[i])) marks.push({ x: xs[i], run: h.id });
    }
  }
  return { marks, every };
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `v`. */
function niceAtLeast(v: number): number {
  if (!(v > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= v - 1e-9) ?? 10 * power;
}

/**
 * What a chart draws, on one shared grid of x-slices: per curve (a run's key, a group's) its value in each
 * slice, NaN where it has none, and its band's low and high edges. Columns, like RunPoints: a redraw makes a
 * few typed arrays per curve instead of an object with a key per curve for every slice.
 */
export interface Grid {
  /** Each slice's x. */
  x: Float64Array;
  values: Map<string, Float64Array>;
  bands: Map<string, { low: Float64Array; high: Float64Array }>;
  /** Per run: 1 in the slices where its B_simple is not resolved. */
  unresolved: Map<string, Uint8Array>;
}

const newGrid = (slices: number): Grid => ({ x: new Float64Array(slices), values: new Map(), bands: new Map(), unresolved: new Map() });

/**
 * Puts every run on one shared grid of `buckets` equal slices of the x-range (in log space for a log axis):
 * per slice, each run's mean drawn value and the [min, max] of its measured values. The cost of drawing is
 * then fixed by the bucket count, not the number of steps, and the faint band shows the spread of the noisy
 * measurements at any density.
 */
export function bucketGrid(runs: RunPoints[], buckets: number, logX: boolean): Grid {
  const e = pointsExtent(runs);
  if (!e) return newGrid(0);
  const f = logX ? Math.log : (v: number) => v;
  const finv = logX ? Math.exp : (v: number) => v;
  const lo = f(e.x[0]);
  const span = f(e.x[1]) - lo;
  const n = span > 0 ? buckets : 1;
  const grid = newGrid(n);
  for (let b = 0; b < n; b++) grid.x[b] = span > 0 ? finv(lo + ((b + 0.5) / n) * span) : e.x[0];
  // The slices' edges in x, so a point finds its slice by comparisons (points come in x order, so the walk
  // from the last point's slice is short) rather than a logarithm per point.
  const edges = new Float64Array(n + 1);
  for (let b = 0; b <= n; b++) edges[b] = finv(lo + (b / n) * span);
  let at = 0;
  const sliceOf = (x: number) => {
    while (at > 0 && x < edges[at]) at--;
    while (at < n - 1 && x >= edges[at + 1]) at++;
    return at;
  };
  for (const run of runs) {
    const drawn = run.smooth ?? run.y;
    const sum = new Float64Array(n);
    const count = new Uint32Array(n);
    const banded = run.smooth !== null || run.low !== undefined;
    const low = new Float64Array(n).fill(banded && !run.low ? Infinity : 0);
    const high = new Float64Array(n).fill(banded && !run.low ? -Infinity : 0);
    at = 0;
    for (let i = 0; i < run.x.length; i++) {
      const b = sliceOf(run.x[i]);
      sum[b] += drawn[i];
      count[b]++;
      if (run.low && run.high) {
        // An interval per point (B_simple's): the band is the mean of the bounds in the slice.
        low[b] += run.low[i];
        high[b] += run.high[i];
      } else if (run.smooth) {
        low[b] = Math.min(low[b], run.y[i]);
        high[b] = Math.max(high[b], run.y[i]);
      }
    }
    const values = new Float64Array(n);
    for (let b = 0; b < n; b++) {
      values[b] = count[b] ? sum[b] / count[b] : NaN;
      if (run.low && count[b]) [low[b], high[b]] = [low[b] / count[b], high[b] / count[b]];
      if (!count[b]) low[b] = high[b] = NaN;
    }
    grid.values.set(run.id, values);
    if (banded) grid.bands.set(run.id, { low, high });
    if (run.unresolved?.length) {
      const flagged = new Uint8Array(n);
      at = 0;
      for (const x of run.unresolved) flagged[sliceOf(x)] = 1;
      // A slice is "not resolved" for the run when it has no value there but unresolved rows.
      for (let b = 0; b < n; b++) if (count[b]) flagged[b] = 0;
      grid.unresolved.set(run.id, flagged);
    }
  }
  // The last slice's centre can lie past the newest point; pin it there so curves end where data ends.
  grid.x[n - 1] = Math.min(grid.x[n - 1], e.x[1]);
  return grid;
}

/**
 * Seed groups drawn as their mean with a band: per slice, the members' drawn values' mean (key `group.key`)
 * and its band (± std or 95 % interval of the mean), where at least one member has a value. Works on the
 * grid, so its cost is slices × runs whatever the number of steps.
 */
export function addGroupBands(grid: Grid, groups: ReadonlyArray<{ key: string; runs: readonly string[] }>, mode: BandMode): void {
  const n = grid.x.length;
  const values: number[] = [];
  for (const g of groups) {
    const members = g.runs.flatMap((id) => grid.values.get(id) ?? []);
    const mean = new Float64Array(n);
    const low = new Float64Array(n);
    const high = new Float64Array(n);
    for (let b = 0; b < n; b++) {
      values.length = 0;
      for (const m of members) values.push(m[b]);
      const band = meanBand(values, mode);
      [mean[b], low[b], high[b]] = band ? [band.mean, band.low, band.high] : [NaN, NaN, NaN];
    }
    grid.values.set(g.key, mean);
    grid.bands.set(g.key, { low, high });
  }
}

/** The index of the slice nearest to `x` among those where `has` holds, or -1. */
function nearestWith(grid: Grid, x: number, has: (i: number) => boolean): number {
  const n = grid.x.length;
  if (!n) return -1;
  const at = nearestIndex(grid.x, x);
  for (let d = 0; d < n; d++) {
    if (at - d >= 0 && has(at - d)) return at - d;
    if (at + d < n && has(at + d)) return at + d;
  }
  return -1;
}

/** A curve's band in the slice nearest to `x` that has one. */
export function bandNear(grid: Grid, key: string, x: number): [number, number] | null {
  const band = grid.bands.get(key);
  if (!band) return null;
  const i = nearestWith(grid, x, (j) => !Number.isNaN(band.low[j]));
  return i < 0 ? null : [band.low[i], band.high[i]];
}

/** The ids flagged "not resolved" in the slice nearest to `x`. */
export function unresolvedNear(grid: Grid, ids: string[], x: number): string[] {
  if (!grid.x.length) return [];
  const i = nearestIndex(grid.x, x);
  return ids.filter((id) => grid.unresolved.get(id)?.[i] === 1);
}

/** Each curve's value in the slice nearest to `x` that has one. */
export function valuesNear(grid: Grid, ids: string[], x: number): Array<{ id: string; y: number }> {
  return ids.flatMap((id) => {
    const values = grid.values.get(id);
    const i = values ? nearestWith(grid, x, (j) => !Number.isNaN(values[j])) : -1;
    return i < 0 ? [] : [{ id, y: values![i] }];
  });
}

function nearestIndex(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(xs[lo] - x) <= Math.abs(xs[hi] - x) ? lo : hi;
}

/**
 * The first and last drawn values of a curve (its leftmost and rightmost slices with a value), or null.
 * The chart puts them on the curve's path (data-first, data-last) so tests read what is drawn, not a hover.
 */
export function curveEnds(grid: Grid, key: string): { first: number; last: number } | null {
  const values = grid.values.get(key);
  if (!values) return null;
  const first = values.findIndex((v) => !Number.isNaN(v));
  if (first < 0) return null;
  const last = values.findLastIndex((v) => !Number.isNaN(v));
  return { first: values[first], last: values[last] };
}

type Scale = (v: number) => number | undefined;

/** The slices' x in pixels (NaN outside the scale's domain): computed once per chart, shared by its curves. */
export function pixelsX(grid: Grid, sx: Scale): Float64Array {
  return grid.x.map((x) => sx(x) ?? NaN);
}

/** A pixel coordinate rounded to 0.1 px: shorter paths, and no visible difference. */
const px = (v: number) => Math.round(v * 10) / 10;

/**
 * An SVG path through a curve's values in the slices (x in pixels, from pixelsX), skipping slices where it
 * has none, so a sparse curve (the held-out loss) is drawn connected.
 */
export function linePath(xs: Float64Array, values: Float64Array | undefined, sy: Scale): string {
  let d = '';
  if (!values) return d;
  for (let i = 0; i < xs.length; i++) {
    const y = Number.isNaN(values[i]) ? undefined : sy(values[i]);
    if (y === undefined || !Number.isFinite(y) || !Number.isFinite(xs[i])) continue;
    d += `${d ? 'L' : 'M'}${px(xs[i])},${px(y)}`;
  }
  return d;
}

/** A closed SVG path around a band (x in pixels), one polygon per stretch of slices that have one. */
export function bandPath(xs: Float64Array, band: { low: Float64Array; high: Float64Array } | undefined, sy: Scale): string {
  let d = '';
  if (!band) return d;
  let first = -1;
  const close = (end: number) => {
    if (first < 0) return;
    let upper = '';
    let lower = '';
    for (let i = first; i < end; i++) {
      upper += `${i > first ? 'L' : 'M'}${px(xs[i])},${px(sy(band.high[i])!)}`;
      lower = `L${px(xs[i])},${px(sy(band.low[i])!)}${lower}`;
    }
    d += `${upper}${lower}Z`;
    first = -1;
  };
  for (let i = 0; i < xs.length; i++) {
    const lo = Number.isNaN(band.low[i]) ? undefined : sy(band.low[i]);
    const hi = Number.isNaN(band.high[i]) ? undefined : sy(band.high[i]);
    if (lo === undefined || hi === undefined || !Number.isFinite(xs[i]) || !Number.isFinite(lo) || !Number.isFinite(hi)) close(i);
    else if (first < 0) first = i;
  }
  close(xs.length);
  return d;
}

/** About `count` evenly spaced ticks at round values (1, 2 or 5 × 10^k apart) inside [min, max]. */
export function linearTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Ticks for a log axis: 1, 2 and 5 times the powers of ten inside [min, max], thinned to the powers when
 * there are many; over a range too narrow for three of those, round linear ticks instead.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= min && t <= max) ticks.push(Number(t.toPrecision(3)));
    }
  }
  if (ticks.length < 3) return linearTicks(min, max, 4);
  const powers = ticks.filter((t) => Number.isInteger(Math.log10(t)));
  return ticks.length > 8 && powers.length >= 2 ? powers : ticks;
}

/**
 * The extent of the runs' points, its x-range widened to the rows where B_simple is not resolved (they have
 * no y, but the chart must reach them to say so); null when there are none.
 */
export function pointsExtent(runs: RunPoints[]): { x: [number, number]; y: [number, number] } | null {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const r of runs) {
    for (let i = 0; i < r.x.length; i++) {
      x0 = Math.min(x0, r.x[i]);
      x1 = Math.max(x1, r.x[i]);
      y0 = Math.min(y0, r.y[i]);
      y1 = Math.max(y1, r.y[i]);
    }
  }
  if (!(x0 <= x1)) return null;
  for (const r of runs) for (const x of r.unresolved ?? []) [x0, x1] = [Math.min(x0, x), Math.max(x1, x)];
  return { x: [x0, x1], y: [y0, y1] };
}
