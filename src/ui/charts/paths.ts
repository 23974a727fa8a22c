/** The SVG paths of a chart's curves and bands, from the shared grid (grid.ts) in pixels. */
import type { Grid } from './grid';

type Scale = (v: number) => number | undefined;

/** The slices' x in pixels (NaN outside the scale's domain): computed once per chart, shared by its curves. */
export function pixelsX(grid: Grid, sx: Scale): Float64Array {
  return grid.x.map((x) => sx(x) ?? NaN);
}

/** A pixel coordinate rounded to 0.1 px: shorter paths, and no visible difference. */
const px = (v: number) => Math.round(v * 10) / 10;

/**
 * An SVG path through a curve's values in the slices (x in pixels, from pixelsX), skipping slices where it
 * has none, so a sparse curve (the held-out loss) is drawn connected. Slices flagged in `breaks` (where the
 * run's B_simple is not resolved: Grid.unresolved) end the line: a value after them starts a new subpath,
 * so no straight line claims a value across a stretch that has none.
 */
export function linePath(xs: Float64Array, values: Float64Array | undefined, sy: Scale, breaks?: Uint8Array): string {
  let d = '';
  if (!values) return d;
  let joined = false;
  for (let i = 0; i < xs.length; i++) {
    if (breaks?.[i] === 1) joined = false;
    const y = Number.isNaN(values[i]) ? undefined : sy(values[i]);
    if (y === undefined || !Number.isFinite(y) || !Number.isFinite(xs[i])) continue;
    d += `${joined ? 'L' : 'M'}${px(xs[i])},${px(y)}`;
    joined = true;
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
