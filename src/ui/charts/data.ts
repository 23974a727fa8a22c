/**
 * What every live chart starts from — each run's history (a fork with its parent's rows in front), computed
 * once per metrics update and shared by all charts — and when each chart redraws (the charts' clock).
 */
import { startTransition, useEffect, useState } from 'react';
import type { MetricRow } from '../../engine/trainer';
import { useRuns } from '../stores/runs';
import { useImports, type ImportedSet } from '../stores/imports';
import { ChartClock } from './clock';
import { runHistories, type RunHistory, type RunLineage } from './histories';

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

const clock = new ChartClock({
  version: () => useRuns.getState().version,
  subscribe: (listener) => useRuns.subscribe(listener),
  redraw: startTransition,
  now: () => performance.now(),
});

/**
 * The metrics version this chart draws (-1 before its first tick), on the charts' clock (clock.ts): the memo
 * key of anything it computes from the metrics. The redraw to a new version is a transition.
 */
export function useChartVersion(): number {
  const [version, setVersion] = useState(-1);
  const [slot] = useState(() => clock.slot(setVersion));
  useEffect(() => {
    slot.joined();
    return () => slot.left();
  }, [slot]);
  useEffect(() => slot.committed(version), [slot, version]);
  return version;
}
