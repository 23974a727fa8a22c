/** Says when saving failed (storage full): training goes on, and the runs can still be exported. */
import { exportMetricsJson } from '../export/exportActions';
import { useStorage } from '../persistence';

export function StorageNotice() {
  const full = useStorage((s) => s.full);
  const error = useStorage((s) => s.error);
  if (!error) return null;
  return (
    <div className="notice" role="alert" data-testid="storage-notice">
      <span>
        {full ? 'Local storage is full: this experiment is no longer being saved. Training goes on; export the runs to keep them, or delete saved experiments.' : `${error} Training goes on.`}
      </span>
      <button type="button" onClick={exportMetricsJson} data-testid="storage-export">
        Export runs (JSON)
      </button>
    </div>
  );
}
