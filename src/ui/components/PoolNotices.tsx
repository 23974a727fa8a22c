/** What the supervisor did: a worker replaced and what it recovered, or training stopped after failed recoveries. */
import { exportMetricsJson } from '../export/exportActions';
import { usePool } from '../training/status';

export function PoolNotices() {
  const notices = usePool((s) => s.notices);
  const stopped = usePool((s) => s.stopped);
  return (
    <>
      {notices.map((message, i) => (
        <div className="notice" role="status" key={i} data-testid="recovery-notice">
          <span>{message}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={() => usePool.setState((s) => ({ notices: s.notices.filter((_, j) => j !== i) }))}>
            ×
          </button>
        </div>
      ))}
      {stopped && (
        <div className="notice error" role="alert" data-testid="recovery-stopped">
          <span>{stopped}</span>
          <button type="button" onClick={exportMetricsJson} data-testid="recovery-export">
            Export runs (JSON)
          </button>
        </div>
      )}
    </>
  );
}
