/**
 * Each run's history as its curve is drawn from: a fork's own rows with its parent's rows up to the fork
 * step in front of them. Pure: computed once per metrics update (data.ts) and shared by every chart.
 */
import type { MetricRow } from '../../engine/trainer';

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
export function firstIndexAbove<T>(rows: T[], key: (row: T) => number, value: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(rows[mid]) > value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
