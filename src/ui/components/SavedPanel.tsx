/**
 * The experiments kept in this browser: reopen (paused at their last checkpoint), rename, delete; storage used.
 * A damaged one is listed with the reason and can only be deleted.
 */
import { useEffect, useState } from 'react';
import { deleteSaved, listSaved, renameSaved, storageEstimate, type SavedEntry } from '../../storage/saved';
import { requestedBackend } from '../actions';
import { reopenSaved, useStorage } from '../persistence';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(0)} kB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

export function SavedPanel() {
  const version = useStorage((s) => s.version);
  const current = useStorage((s) => s.saveId);
  const [list, setList] = useState<SavedEntry[] | null>(null);
  const [usage, setUsage] = useState<{ usage: number; quota: number } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [bump, setBump] = useState(0);

  useEffect(() => {
    let live = true;
    listSaved()
      .then((l) => live && setList(l))
      .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)));
    void storageEstimate().then((u) => live && setUsage(u));
    return () => {
      live = false;
    };
  }, [version, bump]);

  const refresh = () => setBump((b) => b + 1);

  return (
    <div className="shelf-panel saved-panel" data-testid="saved-panel">
      <p className="hint" data-testid="storage-used">
        Kept in this browser as they train.{' '}
        {usage ? `Storage used: ${formatBytes(usage.usage)} of ${formatBytes(usage.quota)}.` : 'This browser does not say how much storage is used.'}
      </p>
      {error && <p role="alert">{error}</p>}
      {list && list.length === 0 && <p className="hint">Nothing saved yet.</p>}
      <ul className="saved-list">
        {list?.map((m) => (
          <li key={m.id} data-testid={`saved-${m.id}`}>
            {renaming === m.id ? (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  const name = new FormData(e.currentTarget).get('name');
                  void renameSaved(m.id, String(name ?? '')).then(() => {
                    setRenaming(null);
                    refresh();
                  });
                }}
              >
                <input name="name" defaultValue={m.name} aria-label="New name" maxLength={120} autoFocus data-testid="rename-input" />
                <button type="submit">Save</button>
              </form>
            ) : (
              <span className="saved-name">
                {m.name}
                {m.id === current && <em> (open)</em>}
              </span>
            )}
            {m.damaged ? (
              <small role="alert" data-testid="saved-damaged">
                Damaged: {m.damaged}. It cannot be opened; delete it to free its space.
              </small>
            ) : (
              <small>
                {new Date(m.savedAt).toLocaleString()} · {m.runs} runs · step {m.steps.toLocaleString('en-US')} · ≈{formatBytes(m.bytes)}
              </small>
            )}
            <span className="saved-actions">
              <button type="button" disabled={m.damaged !== null} onClick={() => void reopenSaved(m.id, requestedBackend(), m.name)} data-testid="saved-open">
                Open
              </button>
              {!m.damaged && (
                <button type="button" onClick={() => setRenaming(m.id)} data-testid="saved-rename">
                  Rename
                </button>
              )}
              <button type="button" onClick={() => void deleteSaved(m.id).then(refresh)} data-testid="saved-delete">
                Delete
              </button>
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
