/**
 * One shared grid of x-slices for every curve of a chart (runs, seed groups), so 16 runs × 10,000 steps
 * cost a fixed number of slices to draw, and what the cursor reads off it (values, bands, "not resolved").
 */
import { meanBand, type BandMode } from '../../engine/groups';
import { pointsExtent, type RunPoints } from './points';

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
  /** Per run (and seed group): 1 in the slices where its B_simple is not resolved. */
  unresolved: Map<string, Uint8Array>;
  /** Per run: 1 in the slices where its B_simple has no interval yet (estimating). */
  estimating: Map<string, Uint8Array>;
}

const newGrid = (slices: number): Grid => ({ x: new Float64Array(slices), values: new Map(), bands: new Map(), unresolved: new Map(), estimating: new Map() });

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
    // A slice is "not resolved" (or "estimating") for the run when it has no value there but such rows.
    for (const [xs, flags] of [[run.unresolved, grid.unresolved], [run.estimating, grid.estimating]] as const) {
      if (!xs?.length) continue;
      const flagged = new Uint8Array(n);
      at = 0;
      for (const x of xs) flagged[sliceOf(x)] = 1;
      for (let b = 0; b < n; b++) if (count[b]) flagged[b] = 0;
      flags.set(run.id, flagged);
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
    // Not resolved for the group where it has no mean and a member is not resolved: its line breaks there too.
    const flags = g.runs.flatMap((id) => grid.unresolved.get(id) ?? []);
    if (flags.length) grid.unresolved.set(g.key, Uint8Array.from(mean, (v, b) => (Number.isNaN(v) && flags.some((f) => f[b] === 1) ? 1 : 0)));
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

/** The ids flagged in `flags` (the grid's unresolved or estimating) in the slice nearest to `x`. */
export function flaggedNear(grid: Grid, flags: Grid['unresolved' | 'estimating'], ids: string[], x: number): string[] {
  if (!grid.x.length) return [];
  const i = nearestIndex(grid.x, x);
  return ids.filter((id) => flags.get(id)?.[i] === 1);
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
