/**
 * Which curves a chart draws and how: per run its metric (and a dashed companion metric, offline the
 * training-set loss beside the held-out loss), and with seed groups on, each group's mean with its band over
 * its members drawn faint or hidden. Pure (no React): MetricChart draws what this returns.
 */
import { seedGroups, type BandMode } from '../../engine/groups';
import type { RunSpec } from '../../spec/schema';
import { addGroupBands, bucketGrid, type Grid } from './grid';
import type { RunHistory } from './histories';
import type { Metric, PointsCache, RunPoints, SeriesOptions } from './points';

/** How one curve is drawn and read out. */
export interface Curve {
  /** The key of the curve's values in the chart's grid, and its name in the readout. */
  key: string;
  color: string;
  /** Whether the curve has a band under it (measured values' spread, B_simple's interval, or a group's band). */
  band: boolean;
  /** A companion metric's curve. */
  dashed: boolean;
  /** A seed group's member drawn faint under its group's mean. */
  faint?: boolean;
  /** A seed group's mean. */
  group?: boolean;
  /** Marks where the run's B_simple is not resolved. */
  unresolved?: boolean;
  /** Has rows where the run's B_simple has no interval yet (read out as "estimating…"). */
  estimating?: boolean;
  /** Its band is an interval (B_simple's), read out with the value. */
  interval?: boolean;
}

export interface CurvesInput {
  /** The experiment's runs: their seed groups. */
  runs: readonly RunSpec[];
  /** Every curve's rows (chartInputs: the experiment's runs, then imported ones). */
  histories: RunHistory[];
  metric: Metric;
  /** A second curve per run, named "<runId> (<label>)". */
  companion?: { metric: Metric; label: string };
  opts: SeriesOptions;
  colors: ReadonlyMap<string, string>;
  /** Seed groups drawn as their mean with this band, or null (groups off). */
  groups: BandMode | null;
  members: 'faint' | 'hidden';
}

export interface ChartCurves {
  grid: Grid;
  /** In drawing order: each run's curve and its companion, then the groups' means, then their companions'. */
  curves: Curve[];
  /** The runs' points (a curve's per run), from which the grid and the chart's extent are made. */
  points: RunPoints[];
}

/** Which of a run's two curves: its metric's or its companion's. */
type Part = 'main' | 'companion';

/** The name of a run's (or group's) curve of `part`: the run's id, or "<id> (<label>)" for the companion. */
function curveKey(name: string, part: Part, companion: CurvesInput['companion']): string {
  return part === 'main' ? name : `${name} (${companion!.label})`;
}

/**
 * The curves of a chart. Points come from `cache` (extended by the rows appended since the last call), and
 * the cache forgets the curves no longer drawn.
 */
export function chartCurves(input: CurvesInput, cache: PointsCache): ChartCurves {
  const { histories, metric, companion, opts, colors, members } = input;
  const parts: Part[] = companion ? ['main', 'companion'] : ['main'];
  const metricOf = (part: Part) => (part === 'main' ? metric : companion!.metric);
  // Seed groups of two or more runs on the chart.
  const present = new Set(histories.map((h) => h.id));
  const groups =
    input.groups === null
      ? []
      : seedGroups(input.runs)
          .map((g) => g.runs.filter((id) => present.has(id)))
          .filter((runs) => runs.length > 1)
          .map((runs) => ({ name: `${runs[0]} (mean of ${runs.length})`, runs }));
  const grouped = new Set(groups.flatMap((g) => g.runs));
  const points: RunPoints[] = [];
  const curves: Curve[] = [];
  for (const h of histories) {
    const color = colors.get(h.id)!;
    const member = grouped.has(h.id);
    for (const part of parts) {
      const p = cache.points(curveKey(h.id, part, companion), h.rows, metricOf(part), opts, h);
      // A companion with no points at all (a metric this run never measures) is left off the chart.
      if (part === 'companion' && !p.x.length) continue;
      points.push(p);
      if (member && members === 'hidden') continue;
      const curve: Curve = { key: p.id, color, band: !member && (p.smooth !== null || (part === 'main' && p.low !== undefined)), dashed: part === 'companion', faint: member };
      if (part === 'main') Object.assign(curve, { unresolved: !member && !!p.unresolved?.length, estimating: !member && !!p.estimating?.length, interval: !member && p.low !== undefined });
      curves.push(curve);
    }
  }
  cache.keep(new Set(points.map((p) => p.id)));
  const grid = bucketGrid(points, opts.buckets, opts.logX);
  if (input.groups !== null && groups.length) {
    const bands = parts.flatMap((part) =>
      groups.map((g) => ({ key: curveKey(g.name, part, companion), runs: g.runs.map((id) => curveKey(id, part, companion)), color: colors.get(g.runs[0])!, part })),
    );
    addGroupBands(grid, bands, input.groups);
    for (const b of bands) curves.push({ key: b.key, color: b.color, band: true, dashed: b.part === 'companion', group: true });
  }
  return { grid, curves, points };
}
