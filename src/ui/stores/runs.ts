/** What the worker reports: backend, run progress, and every run's metric rows (appended in place). */
import { create } from 'zustand';
import type { LadderPoint } from '../../engine/ladder';
import type { MetricRow, ProbeInfo, RunProgress } from '../../engine/trainer';
import type { BackendInfo } from '../../worker/protocol';

interface RunsState {
  backend: BackendInfo | null;
  /** Set while the worker picks and self-tests a backend. */
  loadingBackend: boolean;
  playing: boolean;
  runs: RunProgress[];
  /** Rows per run id. Arrays grow in place; `version` changes whenever any of them does. */
  metrics: Record<string, MetricRow[]>;
  version: number;
  /** Each run's loss-ladder points so far (a new array whenever a run gains one). */
  ladders: Record<string, LadderPoint[]>;
  /** How to read the ladder outputs: the probe examples, output shape and levels. */
  probe: ProbeInfo | null;
  lossFloor: number | null;
  /** A data file the task needs, while it loads (bytes so far; total null when unknown). */
  dataLoading: { name: string; loaded: number; total: number | null } | null;
  /** Failures the person must see (GPU errors, a backend that could not start). */
  errors: string[];
}

/** A performance mark when the page's first metric row arrives: time to first step, for the benchmark. */
export const FIRST_STEP_MARK = 'sgd-lab:first-step';

export const useRuns = create<RunsState>(() => ({
  backend: null,
  loadingBackend: true,
  playing: false,
  runs: [],
  metrics: {},
  version: 0,
  ladders: {},
  probe: null,
  lossFloor: null,
  dataLoading: null,
  errors: [],
}));

export function appendMetrics(rows: Record<string, MetricRow[]>, ladder: Record<string, LadderPoint[]>, runs: RunProgress[]): void {
  const { metrics, version } = useRuns.getState();
  if (Object.keys(ladder).length) {
    const ladders = { ...useRuns.getState().ladders };
    for (const [id, points] of Object.entries(ladder)) ladders[id] = [...(ladders[id] ?? []), ...points];
    useRuns.setState({ ladders });
  }
  let added = false;
  for (const [id, runRows] of Object.entries(rows)) {
    if (!runRows.length) continue;
    (metrics[id] ??= []).push(...runRows);
    added = true;
  }
  if (added && performance.getEntriesByName(FIRST_STEP_MARK).length === 0) performance.mark(FIRST_STEP_MARK);
  useRuns.setState({ runs, version: added ? version + 1 : version });
}

export function restartRuns(ids: string[], runs: RunProgress[], lossFloor: number | null, probe: ProbeInfo): void {
  const metrics = { ...useRuns.getState().metrics };
  const ladders = { ...useRuns.getState().ladders };
  for (const id of ids) {
    metrics[id] = [];
    ladders[id] = [];
  }
  const live = new Set(runs.map((r) => r.id));
  for (const id of Object.keys(metrics)) if (!live.has(id)) delete metrics[id];
  for (const id of Object.keys(ladders)) if (!live.has(id)) delete ladders[id];
  useRuns.setState((s) => ({ metrics, ladders, runs, lossFloor, probe, version: s.version + 1 }));
}

export function reportError(message: string): void {
  useRuns.setState((s) => ({ errors: [...s.errors, message] }));
}
