/**
 * The per-run inputs every live chart starts from — each run's history (a fork with its parent's rows in
 * front) — computed once per metrics update and shared by all charts.
 */
import { startTransition, useEffect, useState } from 'react';
import type { MetricRow } from '../../engine/trainer';
import { useRuns } from '../stores/runs';
import { useImports, type ImportedSet } from '../stores/imports';
import { runHistories, type RunHistory, type RunLineage } from './series';

let cached: { metrics: Record<string, MetricRow[]>; version: number; runs: RunLineage[]; imports: ImportedSet[]; histories: RunHistory[] } | null = null;

/**
 * Every run's history, from the metrics as they are now. The last result is reused while the metrics
 * (object and `useRuns`'s version, which changes whenever rows are appended in place) and runs are the same.
 */
export function chartInputs(runs: RunLineage[]): RunHistory[] {
  const { metrics, version } = useRuns.getState();
  const imports = useImports.getState().sets;
  if (cached && cached.metrics === metrics && cached.version === version && cached.runs === runs && cached.imports === imports) return cached.histories;
  // Imported runs (stores/imports.ts) come after the live ones.
  const histories = [...runHistories(runs, metrics), ...imports.flatMap((set) => runHistories(set.lineage, set.metrics))];
  cached = { metrics, version, runs, imports, histories };
  return histories;
}

/**
 * When the charts redraw. The worker reports up to 10 times a second; redrawing every chart (recharts' axes
 * and our paths, seven charts) on each report kept the main thread busy most of the time on a 2-core
 * machine, in tasks of 200 ms and more that froze hovering. So the charts follow one clock instead: a tick
 * brings each chart, one after the other, to the newest metrics version; the next tick comes `interval` ms
 * after the last began, where the interval is 4× what the redraws of the last tick took (charts then take
 * at most about a fifth of the main thread), between 100 ms and 2 s.
 * Each chart's redraw is a transition: React renders it in slices of a few milliseconds with input and
 * painting in between, so one chart's redraw is no longer one long task (a 16-run sweep in seed groups made
 * tasks of 50–80 ms). One chart at a time, because a transition over all of them took long enough that the
 * run table's 10-per-second updates kept interrupting and restarting it.
 */
const MIN_INTERVAL = 100;
const MAX_INTERVAL = 2000;
const COST_FACTOR = 4;

/** A chart on the page: the version it has drawn, and how to bring it to another. */
class Slot {
  drawn = -1;
  constructor(readonly draw: (version: number) => void) {}

  /** The chart has committed `version`: the clock goes on to the next chart. */
  committed(version: number): void {
    this.drawn = version;
    if (awaited?.slot === this && awaited.version === version) awaited.done();
  }

  /** The chart has left the page. */
  left(): void {
    slots.delete(this);
    if (awaited?.slot === this) awaited.done();
  }
}

/** The charts on the page, in mount order. */
const slots = new Set<Slot>();
let interval = MIN_INTERVAL;
let lastTick = -Infinity;
let drawnVersion = -1;
let timer: ReturnType<typeof setTimeout> | null = null;
let ticking = false;
/** The chart being redrawn in this tick, and what to do once it has drawn (or left the page). */
let awaited: { slot: Slot; version: number; done: () => void } | null = null;

function schedule() {
  if (timer !== null || ticking || useRuns.getState().version === drawnVersion) return;
  timer = setTimeout(tick, Math.max(0, lastTick + interval - performance.now()));
}

function tick() {
  timer = null;
  ticking = true;
  lastTick = performance.now();
  const version = useRuns.getState().version;
  const queue = [...slots];
  let cost = 0;
  const next = () => {
    const slot = queue.shift();
    if (slot === undefined) {
      ticking = false;
      drawnVersion = version;
      interval = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, COST_FACTOR * cost));
      return schedule();
    }
    if (!slots.has(slot) || slot.drawn === version) return next();
    const t0 = performance.now();
    awaited = {
      slot,
      version,
      done: () => {
        awaited = null;
        // The cost runs to the next task: it takes in what the commit set off (recharts' own updates).
        setTimeout(() => {
          cost += performance.now() - t0;
          next();
        }, 0);
      },
    };
    startTransition(() => slot.draw(version));
  };
  next();
}

useRuns.subscribe(schedule);

/**
 * The metrics version this chart draws (-1 before its first tick): the memo key of anything it computes
 * from the metrics.
 */
export function useChartVersion(): number {
  const [version, setVersion] = useState(-1);
  const [slot] = useState(() => new Slot(setVersion));
  useEffect(() => {
    slots.add(slot);
    return () => slot.left();
  }, [slot]);
  useEffect(() => slot.committed(version), [slot, version]);
  return version;
}
