/**
 * Turning metric rows into what a chart draws: the chosen x-axis, TensorBoard's debiased EMA smoothing,
 * and one shared grid of x-buckets for all runs, so 16 runs × 10,000 steps stay cheap to draw in SVG.
 * Pure functions: no React, unit-tested.
 */
import type { MetricRow } from '../../engine/trainer';
import type { XAxis } from '../../spec/view';
import { meanBand, type BandMode } from '../../engine/groups';

export interface Point {
  x: number;
  y: number;
}

/** The x-coordinate of each row: steps, samples, Σ η over steps so far, or seconds of compute. */
export function xValues(rows: MetricRow[], axis: XAxis): number[] {
  switch (axis) {
    case 'step':
      return rows.map((r) => r.step);
    case 'samples':
      return rows.map((r) => r.samples);
    case 'time':
      return rows.map((r) => r.wallMs / 1000);
    case 'lrSteps': {
      let sum = 0;
      return rows.map((r) => (sum += r.lr));
    }
  }
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

/** A run's points for a metric: the measured values and, for a noisy per-step metric, the smoothed curve. */
export interface RunPoints {
  id: string;
  raw: Point[];
  /** null when the metric is drawn as measured (see SMOOTHED_METRICS, or smoothing off). */
  smooth: Point[] | null;
  /** An interval per raw point (B_simple's), drawn as the band instead of the raw values' spread. */
  bounds?: Array<[number, number]>;
  /** x of the rows where B_simple is not resolved (B_simple ≫ B). */
  unresolved?: number[];
}

/** One run's points so far: extended row by row as rows are appended (rows only ever grow at the end). */
interface PointsState {
  /** Rows consumed, and the last of them (to see that the rows are still the same history). */
  rows: number;
  last: MetricRow | undefined;
  raw: Point[];
  smooth: Point[] | null;
  bounds?: Array<[number, number]>;
  unresolved?: number[];
  /** Index of the last point before a fork's own rows. */
  lead: number;
  /** The debiased EMA's accumulator and count. */
  acc: number;
  n: number;
}

function newState(metric: Metric, opts: SeriesOptions): PointsState {
  const noise = NOISE_SCALE_METRICS.has(metric);
  const smoothed = !noise && SMOOTHED_METRICS.has(metric) && opts.smoothing > 0;
  return { rows: 0, last: undefined, raw: [], smooth: smoothed ? [] : null, ...(noise ? { bounds: [], unresolved: [] } : {}), lead: 0, acc: 0, n: 0 };
}

/**
 * Consumes the rows not yet in `state`. The smoothing is TensorBoard's: an EMA with weight `opts.smoothing`
 * on the previous value, divided by (1 − weightⁿ) so the first points are not pulled towards zero; it
 * continues from where the last call stopped.
 */
function extend(state: PointsState, rows: MetricRow[], xs: number[], metric: Metric, opts: SeriesOptions, start: number): void {
  const w = opts.smoothing;
  for (let i = state.rows; i < rows.length; i++) {
    const row = rows[i];
    if (state.unresolved && row.noiseUnresolved && i >= start && !(opts.logX && xs[i] <= 0)) state.unresolved.push(xs[i]);
    const y = metricValue(row, metric);
    if (y === undefined || !Number.isFinite(y)) continue;
    if ((opts.logX && xs[i] <= 0) || (opts.logY && y <= 0)) continue;
    if (i < start) state.lead = state.raw.length;
    state.raw.push({ x: xs[i], y });
    if (state.smooth) {
      state.acc = state.acc * w + (1 - w) * y;
      state.n++;
      state.smooth.push({ x: xs[i], y: state.acc / (1 - w ** state.n) });
    }
    if (state.bounds) {
      // Without an interval (its first measurements), the band is the point itself; on a log axis a lower
      // bound at 0 is drawn at a thousandth of the value.
      const [lo, hi] = metricInterval(row, metric) ?? [y, y];
      state.bounds.push([opts.logY ? Math.max(lo, y / 1000) : lo, hi]);
    }
  }
  state.rows = rows.length;
  state.last = rows[rows.length - 1];
}

function output(id: string, s: PointsState): RunPoints {
  const cut = <T>(a: T[]) => (s.lead ? a.slice(s.lead) : a);
  const points: RunPoints = { id, raw: cut(s.raw), smooth: s.smooth && cut(s.smooth) };
  if (s.bounds) Object.assign(points, { bounds: cut(s.bounds), unresolved: s.unresolved });
  return points;
}

/**
 * One run's points. Noisy per-step metrics (SMOOTHED_METRICS) are smoothed; the rest are drawn as
 * measured. Points a log axis cannot show are dropped. With a fork's history (`history.start` > 0) the
 * x-values and the smoothing run over the whole history, and the points kept are the fork's own plus the
 * last one before it (the parent's value where the branch leaves). `history.xs`, when given, are the rows'
 * x-values on `opts.axis` (computed once for all charts).
 */
export function runPoints(id: string, rows: MetricRow[], metric: Metric, opts: SeriesOptions, history: { xs?: number[]; start?: number } = {}): RunPoints {
  const state = newState(metric, opts);
  extend(state, rows, history.xs ?? xValues(rows, opts.axis), metric, opts, history.start ?? 0);
  return output(id, state);
}

/**
 * runPoints, kept per curve between redraws: a redraw consumes only the rows appended since the last one,
 * so its cost no longer grows with the length of training (16 runs × 10,000 steps: see the README's
 * benchmark). A curve starts over when its settings change or its rows are no longer the ones it consumed.
 */
export class PointsCache {
  private states = new Map<string, { key: string; state: PointsState }>();

  points(id: string, rows: MetricRow[], metric: Metric, opts: SeriesOptions, history: { xs?: number[]; start?: number } = {}): RunPoints {
    const start = history.start ?? 0;
    const key = `${metric}|${opts.axis}|${opts.logX}|${opts.logY}|${opts.smoothing}|${start}`;
    let entry = this.states.get(id);
    const stale = !entry || entry.key !== key || entry.state.rows > rows.length || (entry.state.rows > 0 && rows[entry.state.rows - 1] !== entry.state.last);
    if (stale) this.states.set(id, (entry = { key, state: newState(metric, opts) }));
    extend(entry!.state, rows, history.xs ?? xValues(rows, opts.axis), metric, opts, start);
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
  histories: Array<RunHistory & { xs: number[] }>,
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
    for (let m = Math.floor(before / size) + 1; m * size <= last; m++) {
      const i = firstIndexAbove(h.rows, (r) => r.samples, m * size - 1);
      if (i < h.rows.length && Number.isFinite(h.xs[i])) marks.push({ x: h.xs[i], run: h.id });
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

/** A row of chart data at one x: per run, `id` is the drawn value and `id~` the [min, max] of raw values. */
export type ChartRow = { x: number } & Record<string, number | [number, number] | null>;

export const bandKey = (id: string) => `${id}~`;
/** Set (1) in a slice where the run's B_simple is not resolved. */
export const unresolvedKey = (id: string) => `${id}!`;

/**
 * Puts every run on one shared grid of `buckets` equal slices of the x-range (in log space for a log axis):
 * per slice, each run's mean drawn value and the [min, max] of its raw values. The cost of drawing is then
 * fixed by the bucket count, not the number of steps, and the faint band shows the spread of the noisy
 * measurements at any density. A run with no point in a slice has null there.
 */
export function bucketRows(runs: RunPoints[], buckets: number, logX: boolean): ChartRow[] {
  const e = pointsExtent(runs);
  if (!e) return [];
  const f = logX ? Math.log : (v: number) => v;
  const finv = logX ? Math.exp : (v: number) => v;
  const lo = f(e.x[0]);
  const span = f(e.x[1]) - lo;
  const n = span > 0 ? buckets : 1;
  const bucketOf = (x: number) => (span > 0 ? Math.min(n - 1, Math.floor(((f(x) - lo) / span) * n)) : 0);
  const rows: ChartRow[] = Array.from({ length: n }, (_, b) => ({ x: span > 0 ? finv(lo + ((b + 0.5) / n) * span) : e.x[0] }) as ChartRow);
  for (const run of runs) {
    const drawn = run.smooth ?? run.raw;
    const sum = new Float64Array(n);
    const count = new Uint32Array(n);
    for (const p of drawn) {
      const b = bucketOf(p.x);
      sum[b] += p.y;
      count[b]++;
    }
    const min = new Float64Array(n).fill(Infinity);
    const max = new Float64Array(n).fill(-Infinity);
    if (run.smooth) {
      for (const p of run.raw) {
        const b = bucketOf(p.x);
        min[b] = Math.min(min[b], p.y);
        max[b] = Math.max(max[b], p.y);
      }
    }
    // An interval per point (B_simple's): the band is the mean of the bounds in the slice.
    const bounds = run.bounds;
    if (bounds) {
      min.fill(0);
      max.fill(0);
      run.raw.forEach((p, i) => {
        const b = bucketOf(p.x);
        min[b] += bounds[i][0] / count[b];
        max[b] += bounds[i][1] / count[b];
      });
    }
    const banded = run.smooth !== null || bounds !== undefined;
    for (let b = 0; b < n; b++) {
      rows[b][run.id] = count[b] ? sum[b] / count[b] : null;
      if (banded) rows[b][bandKey(run.id)] = count[b] ? [min[b], max[b]] : null;
    }
    if (run.unresolved?.length) {
      const flagged = new Uint8Array(n);
      for (const x of run.unresolved) flagged[bucketOf(x)] = 1;
      // A slice is "not resolved" for the run when it has no value there but unresolved rows.
      for (let b = 0; b < n; b++) if (flagged[b] && !count[b]) rows[b][unresolvedKey(run.id)] = 1;
    }
  }
  // The last slice's centre can lie past the newest point; pin it there so curves end where data ends.
  rows[n - 1].x = Math.min(rows[n - 1].x, e.x[1]);
  return rows;
}

/**
 * Seed groups drawn as their mean with a band: per slice, the members' drawn values' mean (key `group.key`)
 * and its band (± std or 95 % interval of the mean, `bandKey(group.key)`), where at least one member has a
 * value. Works on the bucketed rows, so its cost is buckets × runs whatever the number of steps.
 */
export function addGroupRows(rows: ChartRow[], groups: ReadonlyArray<{ key: string; runs: readonly string[] }>, mode: BandMode): void {
  const values: number[] = [];
  for (const row of rows) {
    for (const g of groups) {
      values.length = 0;
      for (const id of g.runs) {
        const v = row[id];
        if (typeof v === 'number') values.push(v);
      }
      const band = meanBand(values, mode);
      row[g.key] = band ? band.mean : null;
      row[bandKey(g.key)] = band ? [band.low, band.high] : null;
    }
  }
}

/** A curve's band in the slice nearest to `x` that has one. */
export function bandNear(rows: ChartRow[], key: string, x: number): [number, number] | null {
  if (!rows.length) return null;
  const at = nearestIndex(rows, x);
  for (let d = 0; d < rows.length; d++) {
    for (const i of [at - d, at + d]) {
      const v = rows[i]?.[bandKey(key)];
      if (Array.isArray(v)) return v;
    }
  }
  return null;
}

/** The ids flagged "not resolved" in the slice nearest to `x`. */
export function unresolvedNear(rows: ChartRow[], ids: string[], x: number): string[] {
  if (!rows.length) return [];
  const row = rows[nearestIndex(rows, x)];
  return ids.filter((id) => row[unresolvedKey(id)] === 1);
}

/** Each run's value in the row nearest to `x` that has one (rows sorted by x). */
export function valuesNear(rows: ChartRow[], ids: string[], x: number): Array<{ id: string; y: number }> {
  if (!rows.length) return [];
  const at = nearestIndex(rows, x);
  return ids.flatMap((id) => {
    for (let d = 0; d < rows.length; d++) {
      for (const i of [at - d, at + d]) {
        const v = rows[i]?.[id];
        if (typeof v === 'number') return [{ id, y: v }];
      }
    }
    return [];
  });
}

function nearestIndex(points: { x: number }[], x: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? lo : hi;
}

/**
 * The first and last drawn values of a curve (its leftmost and rightmost buckets with a value), or null.
 * The chart puts them on the curve's path (data-first, data-last) so tests read what is drawn, not a hover.
 */
export function curveEnds(rows: ChartRow[], key: string): { first: number; last: number } | null {
  const values = rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
  return values.length ? { first: values[0], last: values[values.length - 1] } : null;
}

type Scale = (v: number) => number | undefined;

/**
 * An SVG path through one run's values (`key`) in the rows, skipping rows where it has none, so a sparse
 * curve (the held-out loss) is drawn connected. Coordinates are rounded to 0.1 px.
 */
export function linePath(rows: ChartRow[], key: string, sx: Scale, sy: Scale): string {
  let d = '';
  for (const row of rows) {
    const v = row[key];
    if (typeof v !== 'number') continue;
    const x = sx(row.x);
    const y = sy(v);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    d += `${d ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  return d;
}

/** A closed SVG path around the [min, max] band (`key`), one polygon per stretch of rows that have one. */
export function bandPath(rows: ChartRow[], key: string, sx: Scale, sy: Scale): string {
  let d = '';
  let stretch: Array<[number, number, number]> = [];
  const close = () => {
    if (stretch.length) {
      const upper = stretch.map(([x, , hi]) => `${x.toFixed(1)},${hi.toFixed(1)}`);
      const lower = stretch.reverse().map(([x, lo]) => `${x.toFixed(1)},${lo.toFixed(1)}`);
      d += `M${upper.join('L')}L${lower.join('L')}Z`;
    }
    stretch = [];
  };
  for (const row of rows) {
    const band = row[key];
    const x = sx(row.x);
    const lo = Array.isArray(band) ? sy(band[0]) : undefined;
    const hi = Array.isArray(band) ? sy(band[1]) : undefined;
    if (x === undefined || lo === undefined || hi === undefined || ![x, lo, hi].every(Number.isFinite)) close();
    else stretch.push([x, lo, hi]);
  }
  close();
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
 * no y, but the chart must reach them to say so).
 */
export function pointsExtent(runs: RunPoints[]): { x: [number, number]; y: [number, number] } | null {
  const e = extent(runs.map((r) => r.raw));
  if (!e) return null;
  for (const r of runs) for (const x of r.unresolved ?? []) e.x = [Math.min(e.x[0], x), Math.max(e.x[1], x)];
  return e;
}

/** [min, max] of all points' x and y, or null when there are none. */
export function extent(series: Point[][]): { x: [number, number]; y: [number, number] } | null {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const points of series) {
    for (const p of points) {
      x0 = Math.min(x0, p.x);
      x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, p.y);
      y1 = Math.max(y1, p.y);
    }
  }
  return x0 <= x1 ? { x: [x0, x1], y: [y0, y1] } : null;
}
