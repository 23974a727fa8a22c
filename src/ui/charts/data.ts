/**
 * The per-run inputs every live chart starts from — each run's history (a fork with its parent's rows in
 * front) and its x-values on the chosen axis — computed once per metrics update and shared by all charts,
 * so six charts cost one pass over the rows for this part, not six.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { MetricRow } from '../../engine/trainer';
import type { XAxis } from '../../spec/view';
import { useRuns } from '../stores/runs';
import { useImports, type ImportedSet } from '../stores/imports';
import { runHistories, xValues, type RunHistory, type RunLineage } from './series';

export type ChartInput = RunHistory & { xs: number[] };

let cached: { metrics: Record<string, MetricRow[]>; version: number; runs: RunLineage[]; axis: XAxis; imports: ImportedSet[]; inputs: ChartInput[] } | null = null;

/**
 * Every run's history and x-values, from the metrics as they are now. The last result is reused while the
 * metrics (object and `useRuns`'s version, which changes whenever rows are appended in place), runs and
 * axis are the same.
 */
export function chartInputs(runs: RunLineage[], axis: XAxis): ChartInput[] {
  const { metrics, version } = useRuns.getState();
  const imports = useImports.getState().sets;
  if (cached && cached.metrics === metrics && cached.version === version && cached.runs === runs && cached.axis === axis && cached.imports === imports) return cached.inputs;
  // Imported runs (stores/imports.ts) come after the live ones.
  const histories = [...runHistories(runs, metrics), ...imports.flatMap((set) => runHistories(set.lineage, set.metrics))];
  const inputs = histories.map((h) => ({ ...h, xs: xValues(h.rows, axis) }));
  cached = { metrics, version, runs, axis, imports, inputs };
  return inputs;
}

/**
 * When the charts redraw. The worker reports up to 10 times a second; redrawing every chart (recharts' axes
 * and our paths, seven charts) on each report kept the main thread busy most of the time on a 2-core
 * machine, in tasks of 200 ms and more that froze hovering. So the charts follow one clock instead: a tick
 * brings each chart, one per task (so input and painting get in between), to the newest metrics version;
 * the next tick comes `interval` ms after the last began, where the interval is 4× what the redraws of the
 * last tick took (charts then take at most about a fifth of the main thread), between 100 ms and 2 s.
 * (A deferred, interruptible render was tried first: the table's 10-per-second updates kept restarting it.)
 */
const MIN_INTERVAL = 100;
const MAX_INTERVAL = 2000;
const COST_FACTOR = 4;

const useChartClock = create<{ versions: Record<string, number> }>(() => ({ versions: {} }));

/** The charts on the page, in mount order: each redraws in its own task of a tick. */
const charts = new Set<string>();
let interval = MIN_INTERVAL;
let lastTick = -Infinity;
let drawnVersion = -1;
let timer: ReturnType<typeof setTimeout> | null = null;
let ticking = false;

function schedule() {
  if (timer !== null || ticking || useRuns.getState().version === drawnVersion) return;
  timer = setTimeout(tick, Math.max(0, lastTick + interval - performance.now()));
}

function tick() {
  timer = null;
  ticking = true;
  lastTick = performance.now();
  const version = useRuns.getState().version;
  const queue = [...charts];
  let cost = 0;
  const next = () => {
    const chart = queue.shift();
    if (chart === undefined) {
      ticking = false;
      drawnVersion = version;
      interval = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, COST_FACTOR * cost));
      return schedule();
    }
    const t0 = performance.now();
    useChartClock.setState((s) => ({ versions: { ...s.versions, [chart]: version } }));
    // The store update renders synchronously (useSyncExternalStore, flushed in a microtask): by the next
    // task, this chart's redraw is done.
    setTimeout(() => {
      cost += performance.now() - t0;
      next();
    }, 0);
  };
  next();
}

useRuns.subscribe(schedule);

/**
 * The metrics version `chart` draws (-1 before its first tick): the memo key of anything it computes from
 * the metrics. Each chart (a unique name) redraws in its own task.
 */
export function useChartVersion(chart: string): number {
  useEffect(() => {
    charts.add(chart);
    return () => {
      charts.delete(chart);
    };
  }, [chart]);
  return useChartClock((s) => s.versions[chart] ?? -1);
}
