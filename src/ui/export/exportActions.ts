/** The export buttons' actions: the current experiment and its runs, from the stores, as files. */
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { runsData } from '../persistence';
import { useView } from '../stores/view';
import { download } from './chartImage';
import { experimentJson, metricsCsv, resultsJson, type ExportInput } from './formats';

/** The experiment and everything the page holds of its runs; other per-run fields of the runs store go along generically. */
export function exportInput(): ExportInput {
  const backend = useRuns.getState().backend;
  const { runs, metrics, lossFloor, ...rest } = runsData();
  const spec = useExperiment.getState().spec;
  const ids = new Set(spec.runs.map((r) => r.id));
  const perRun: Record<string, Record<string, unknown>> = {};
  const extra: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(rest)) {
    const byRun = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => ids.has(k));
    if (byRun) perRun[field] = value as Record<string, unknown>;
    else extra[field] = value;
  }
  return { spec, view: useView.getState(), runs, metrics, lossFloor, backend: backend?.name ?? null, perRun, extra };
}

export const exportMetricsCsv = () => download('sgd-lab-metrics.csv', metricsCsv(exportInput()), 'text/csv');
export const exportMetricsJson = () => download('sgd-lab-results.json', resultsJson(exportInput()), 'application/json');
export const exportExperimentJson = () => download('sgd-lab-experiment.json', experimentJson(useExperiment.getState().spec), 'application/json');
