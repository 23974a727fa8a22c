/**
 * A run's points for one metric, as the chart draws them: the chosen x-axis, TensorBoard's debiased EMA
 * smoothing, B_simple's interval, and one cache of points between redraws so a redraw consumes only the
 * rows appended since the last one. Pure (no React), unit-tested in test/series.test.ts.
 */
import type { MetricRow } from '../../engine/trainer';
import type { XAxis } from '../../spec/view';
import { noiseReading } from '../noiseReading';

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

/**
 * Metrics that are B_simple: a row has a value only with its interval, and says "not resolved" or
 * "estimating" instead (noiseReading).
 */
const NOISE_SCALE_METRICS: ReadonlySet<Metric> = new Set<Metric>(['noiseScale', 'noiseRatio']);

/** A row's value of `metric`, or undefined where the row has none (B_simple: none without its interval). */
export function metricValue(row: MetricRow, metric: Metric): number | undefined {
  if (!NOISE_SCALE_METRICS.has(metric)) return row[metric as Exclude<Metric, 'noiseRatio'>];
  const reading = noiseReading(row);
  if (reading.kind !== 'value') return undefined;
  return metric === 'noiseRatio' ? reading.scale / row.batchSize : reading.scale;
}

/** A row's interval of `metric` where it has one: B_simple's 95 % interval (and over B for the ratio). */
function metricInterval(row: MetricRow, metric: Metric): [number, number] | undefined {
  const reading = noiseReading(row);
  if (!NOISE_SCALE_METRICS.has(metric) || reading.kind !== 'value') return undefined;
  return metric === 'noiseRatio' ? [reading.low / row.batchSize, reading.high / row.batchSize] : [reading.low, reading.high];
}

/**
 * The metrics measured afresh on each step's minibatch, noisy enough to smooth. The others are drawn as
 * measured: held-out and training-set losses are averages over a fixed set, B_simple is already an EMA,
 * and the temperature η/B is exact.
 */
export const SMOOTHED_METRICS: ReadonlySet<Metric> = new Set<Metric>(['trainLoss', 'gradNorm']);

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
  /** x of the rows where B_simple is measured but has no interval yet (its first measurements). */
  estimating?: number[];
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
  estimating?: number[];
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
    ...(noise ? { low: new Column(), high: new Column(), unresolved: [], estimating: [] } : {}),
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
    if (state.unresolved && state.estimating && i >= start && !(opts.logX && x <= 0)) {
      const { kind } = noiseReading(row);
      if (kind === 'unresolved') state.unresolved.push(x);
      else if (kind === 'estimating') state.estimating.push(x);
    }
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
      // A value always has its interval (metricValue); on a log axis a lower bound at 0 is drawn at a
      // thousandth of the value.
      const [lo, hi] = metricInterval(row, metric)!;
      state.low.push(opts.logY ? Math.max(lo, y / 1000) : lo);
      state.high.push(hi);
    }
  }
  state.rows = rows.length;
  state.last = rows[rows.length - 1];
}

function output(id: string, s: PointsState): RunPoints {
  const points: RunPoints = { id, x: s.x.from(s.lead), y: s.y.from(s.lead), smooth: s.smooth && s.smooth.from(s.lead) };
  if (s.low && s.high) Object.assign(points, { low: s.low.from(s.lead), high: s.high.from(s.lead), unresolved: s.unresolved, estimating: s.estimating });
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
 * The extent of the runs' points, its x-range widened to the rows where B_simple is not resolved or still
 * estimating (they have no y, but the chart must reach them to say so); null when there are none.
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
  for (const r of runs) for (const x of [...(r.unresolved ?? []), ...(r.estimating ?? [])]) [x0, x1] = [Math.min(x0, x), Math.max(x1, x)];
  return { x: [x0, x1], y: [y0, y1] };
}
