/** Which backend trains (and on what adapter), a way to choose another, and why others were skipped. */
import { BACKEND_CHOICES, type BackendChoice } from '../../worker/protocol';
import { switchBackend } from '../actions';
import { useRuns } from '../stores/runs';
import { maxWorkers, saveWorkers, usePool } from '../training/status';
import { training } from '../trainingClient';

/** The pool size: one worker per core by default; a GPU backend trains in one worker whatever it says. */
function WorkersField() {
  const size = usePool((s) => s.size);
  const active = usePool((s) => s.active);
  const grouped = useRuns((s) => s.backend?.groupedRuns ?? false);
  return (
    <label className="backend-workers" title="Training workers: runs are spread over them (a fork stays with its parent). On a GPU backend runs train stacked in one worker.">
      <span data-testid="workers">
        {active} {active === 1 ? 'worker' : 'workers'}
        {grouped && size > 1 ? ' (GPU: one)' : ''}
      </span>
      <input
        type="number"
        aria-label="Workers"
        min={1}
        max={maxWorkers()}
        value={size}
        onChange={(e) => {
          const n = Math.round(Number(e.target.value));
          if (!(n >= 1 && n <= maxWorkers())) return;
          saveWorkers(n);
          training.resize(n);
        }}
      />
    </label>
  );
}

export function BackendPanel() {
  const backend = useRuns((s) => s.backend);
  const loading = useRuns((s) => s.loadingBackend);
  const data = useRuns((s) => s.dataLoading);
  const fellBack = backend && backend.requested !== 'auto' && backend.requested !== backend.name;
  return (
    <div className="backend" data-testid="backend">
      <span className="backend-name" data-testid="backend-name">
        {loading ? 'starting backend…' : backend ? backend.name : 'no backend'}
      </span>
      <WorkersField />
      {data && (
        <span className="backend-data" role="status" data-testid="data-loading">
          loading {data.name}: {data.total ? `${Math.round((100 * data.loaded) / data.total)}%` : `${(data.loaded / 1e6).toFixed(1)} MB`}
        </span>
      )}
      {backend?.adapter && (
        <span className="backend-adapter">
          {backend.adapter}
          {backend.softwareAdapter && ' (software fallback, no GPU)'}
        </span>
      )}
      <select
        aria-label="Backend"
        value={backend?.requested ?? 'auto'}
        disabled={loading}
        onChange={(e) => switchBackend(e.target.value as BackendChoice)}
      >
        {BACKEND_CHOICES.map((b) => (
          <option key={b} value={b}>
            {b === 'auto' ? 'auto (fastest that works)' : b}
          </option>
        ))}
      </select>
      {fellBack && (
        <span className="backend-warning" role="alert">
          {backend.requested} failed; fell back to {backend.name}.
        </span>
      )}
      {backend && backend.notices.length > 0 && (
        <details className="backend-notices">
          <summary>why {backend.name}?</summary>
          <ul>
            {backend.notices.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
