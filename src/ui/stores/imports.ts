/**
 * Imported results (a JSON export or a headless runner's results file), drawn beside the live runs. Each
 * import gets a short label (i1, i2, …); its runs appear on the charts as "<label>/<run id>".
 */
import { create } from 'zustand';
import type { MetricRow } from '../../engine/trainer';
import type { ImportedResults } from '../export/formats';
import { useRuns } from './runs';

export interface ImportedSet {
  label: string;
  name: string;
  results: ImportedResults;
  /** The runs as the charts take them: prefixed ids and lineage, and rows by prefixed id. */
  lineage: Array<{ id: string; fork?: { parent: string; atStep: number } }>;
  metrics: Record<string, MetricRow[]>;
}

export const useImports = create<{ sets: ImportedSet[]; next: number }>(() => ({ sets: [], next: 1 }));

/** Charts redraw when the metrics version changes: bump it when the imports change. */
const redraw = () => useRuns.setState((s) => ({ version: s.version + 1 }));

export function addImport(name: string, results: ImportedResults): ImportedSet {
  const { sets, next } = useImports.getState();
  const label = `i${next}`;
  const id = (runId: string) => `${label}/${runId}`;
  const set: ImportedSet = {
    label,
    name,
    results,
    lineage: results.runs.map((r) => ({ id: id(r.id), ...(r.fork ? { fork: { parent: id(r.fork.parent), atStep: r.fork.atStep } } : {}) })),
    metrics: Object.fromEntries(results.runs.map((r) => [id(r.id), r.rows])),
  };
  useImports.setState({ sets: [...sets, set], next: next + 1 });
  redraw();
  return set;
}

export function removeImport(label: string): void {
  useImports.setState((s) => ({ sets: s.sets.filter((x) => x.label !== label) }));
  redraw();
}
