/** Every run at a glance: colour, settings, status, latest losses, progress and throughput. */
import { runColor } from '../colors';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '–' : Number(v.toPrecision(digits)).toString());

export function RunTable() {
  const specs = useExperiment((s) => s.spec.runs);
  const progress = useRuns((s) => s.runs);
  const playing = useRuns((s) => s.playing);
  const byId = new Map(progress.map((p) => [p.id, p]));
  return (
    <table className="run-table" data-testid="run-table">
      <thead>
        <tr>
          <th>run</th>
          <th>B</th>
          <th>η</th>
          <th>seed</th>
          <th>status</th>
          <th>train loss</th>
          <th>held-out loss</th>
          <th>steps</th>
          <th>samples</th>
          <th>samples/s</th>
        </tr>
      </thead>
      <tbody>
        {specs.map((run, i) => {
          const p = byId.get(run.id);
          const status = p ? (p.status === 'running' && !playing ? 'paused' : p.status) : 'starting';
          return (
            <tr key={run.id} data-testid={`run-row-${run.id}`} data-status={status}>
              <td>
                <span className="swatch" style={{ background: runColor(i) }} /> {run.id}
              </td>
              <td>{run.batchSize}</td>
              <td>{run.learningRate}</td>
              <td>{run.seed}</td>
              <td className={`status status-${status}`} title={p?.reason}>
                {status}
              </td>
              <td data-testid="train-loss" data-value={p?.trainLoss ?? ''}>
                {fmt(p?.trainLoss)}
              </td>
              <td>{fmt(p?.evalLoss)}</td>
              <td data-testid="steps">{p?.step ?? 0}</td>
              <td data-testid="samples">{p?.samples ?? 0}</td>
              <td>{p && p.wallMs > 0 ? Math.round((p.samples / p.wallMs) * 1000).toLocaleString('en-US') : '–'}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
