/**
 * Turning metric rows into what a chart draws: the chosen x-axis, TensorBoard's debiased EMA smoothing,
 * and downsampling to a fixed number of x-buckets, so 16 runs × 10,000 steps stay cheap to draw in SVG.
 * Pure functions: no React, unit-tested.
 */
import type { MetricRow } from '../../engine/trainer';
import type { XAxis } from '../../spec/view';

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
 * TensorBoard's smoothing: an EMA with weight `weight` on the previous value, divided by (1 − weightⁿ)
 * so the first points are not pulled towards zero. Non-finite values pass through unsmoothed.
 */
export function smoothEma(values: number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  let acc = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    acc = acc * weight + (1 - weight) * v;
    n++;
    return acc / (1 - weight ** n);
  });
}

/**
 * Keeps, for each of `buckets` equal slices of the x-range (in log space when `logX`), the points with the
 * smallest and the largest y, in x order: spikes and divergence stay visible however many points there are.
 */
export function downsampleMinMax(points: Point[], buckets: number, logX: boolean): Point[] {
  if (points.length <= 2 * buckets) return points;
  const f = logX ? Math.log : (v: number) => v;
  const lo = f(points[0].x);
  const span = f(points[points.length - 1].x) - lo || 1;
  const out: Point[] = [];
  let bucket = -1;
  let min: Point | null = null;
  let max: Point | null = null;
  const emit = () => {
    if (!min || !max) return;
    if (min === max) out.push(min);
    else out.push(...(min.x < max.x ? [min, max] : [max, min]));
  };
  for (const p of points) {
    const b = Math.min(buckets - 1, Math.floor(((f(p.x) - lo) / span) * buckets));
    if (b !== bucket) {
      emit();
      bucket = b;
      min = max = p;
    } else {
      if (p.y < min!.y) min = p;
      if (p.y > max!.y) max = p;
    }
  }
  emit();
  return out;
}

export type Metric = 'trainLoss' | 'evalLoss';

export interface SeriesOptions {
  axis: XAxis;
  logX: boolean;
  logY: boolean;
  smoothing: number;
  buckets: number;
}

export interface Series {
  raw: Point[];
  /** The smoothed curve; equal to `raw` for metrics that are not smoothed. */
  smooth: Point[];
}

/**
 * One run's curve for a metric. The training loss (a noisy minibatch estimate) is smoothed; the held-out
 * loss, already an average over the whole probe set, is drawn as measured.
 */
export function buildSeries(rows: MetricRow[], metric: Metric, opts: SeriesOptions): Series {
  const xs = xValues(rows, opts.axis);
  const points: Point[] = [];
  rows.forEach((row, i) => {
    const y = row[metric];
    if (y === undefined || !Number.isFinite(y)) return;
    if ((opts.logX && xs[i] <= 0) || (opts.logY && y <= 0)) return;
    points.push({ x: xs[i], y });
  });
  const raw = downsampleMinMax(points, opts.buckets, opts.logX);
  if (metric === 'evalLoss' || opts.smoothing <= 0) return { raw, smooth: raw };
  const smoothed = smoothEma(
    points.map((p) => p.y),
    opts.smoothing,
  ).map((y, i) => ({ x: points[i].x, y }));
  return { raw, smooth: downsampleMinMax(smoothed, opts.buckets, opts.logX) };
}

/** The point whose x is nearest to `x` (points sorted by x), or null. */
export function nearestPoint(points: Point[], x: number): Point | null {
  if (!points.length) return null;
  let lo = 0;
  let hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo].x - x) <= Math.abs(points[hi].x - x) ? points[lo] : points[hi];
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
