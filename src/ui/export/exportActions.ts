/** The export buttons' actions: the current experiment and its runs, from the stores, as files. */
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { useView } from '../stores/view';
import { download } from './chartImage';
import { experimentJson, metricsCsv, resultsJson, type ExportInput } from './formats';

export function exportInput(): ExportInput {
  const { runs, metrics, lossFloor, backend } = useRuns.getState();
  return { spec: useExperiment.getState().spec, view: useView.getState(), runs, metrics, lossFloor, backend: backend?.name ?? null };
}

export const exportMetricsCsv = () => download('sgd-lab-metrics.csv', metricsCsv(exportInput()), 'text/csv');
export const exportMetricsJson = () => download('sgd-lab-results.json', resultsJson(exportInput()), 'application/json');
export const exportExperimentJson = () => download('sgd-lab-experiment.json', experimentJson(useExperiment.getState().spec), 'application/json');
