/** Messages the person must not miss: how the experiment was opened, and failures during training. */
import { dismissNotice, useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';

export function Notices() {
  const notice = useExperiment((s) => s.notice);
  const errors = useRuns((s) => s.errors);
  return (
    <>
      {notice && (
        <div className="notice" role="alert" data-testid="notice">
          <span>{notice}</span>
          <button type="button" className="icon" aria-label="Dismiss" onClick={dismissNotice}>
            ×
          </button>
        </div>
      )}
      {errors.map((message, i) => (
        <div className="notice error" role="alert" key={i} data-testid="error">
          {message}
        </div>
      ))}
    </>
  );
}
