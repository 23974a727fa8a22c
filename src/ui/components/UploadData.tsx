/**
 * Your own data: choose a file, check it here on the page (size, format, columns, rows for the budget),
 * hand its bytes to the worker, and point the draft's task at it. The file never leaves the device: the
 * experiment (and so the link) names it "upload:<file name>" but does not carry it, and a link that needs
 * it says so until it is uploaded again. Each accepted file type is one entry of UPLOAD_KINDS.
 */
import { useId, useState } from 'react';
import { UPLOAD_PREFIX } from '../../engine/data/assets';
import { MAX_CSV_BYTES, parseCsv } from '../../engine/data/csv';
import { heldOutRows } from '../../engine/tasks/csv';
import { TaskSpec } from '../../spec/schema';
import { applyExperiment } from '../actions';
import { setDraft, useExperiment, type Draft } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { training } from '../trainingClient';

/** What a checked file becomes: the task to train on, further draft edits, and a line describing it. */
interface Adopted {
  task: TaskSpec;
  draft: Draft;
  summary: string;
  /** Columns to choose the label from (tables only). */
  columns?: string[];
}

/** One accepted file type: its size limit and how a file of it becomes a task. Throws with the reason. */
interface UploadKind {
  extension: string;
  maxBytes: number;
  adopt(bytes: Uint8Array, fileName: string, draft: Draft, label: string): Adopted;
}

const runsOf = (draft: Draft) => (Array.isArray(draft.runs) ? (draft.runs as { batchSize?: unknown }[]) : []);

const csvUpload: UploadKind = {
  extension: '.csv',
  maxBytes: MAX_CSV_BYTES,
  adopt(bytes, fileName, draft, label) {
    const table = parseCsv(bytes, fileName, label);
    // Hold out at least 16 rows (the smallest probe set); the parser guarantees rows for that.
    const heldOut = Math.min(0.5, Math.max(0.2, 16 / table.rows));
    const held = heldOutRows(table.rows, heldOut);
    const train = table.rows - held;
    const largest = Math.max(0, ...runsOf(draft).map((r) => (typeof r.batchSize === 'number' ? r.batchSize : 0)));
    if (largest > train) {
      throw new Error(
        `${fileName}: ${train} training rows (${held} more are held out) are fewer than the largest batch size, ${largest}: lower the runs' batch sizes first, or upload more rows.`,
      );
    }
    const next: Draft = { ...draft, probeSize: Math.min(Number(draft.probeSize) || held, held) };
    const regime = draft.regime as { kind?: string; trainSize?: unknown } | undefined;
    if (regime?.kind === 'offline') next.regime = { ...regime, trainSize: Math.min(Number(regime.trainSize) || train, train) };
    const columns = [...table.features, table.label];
    return {
      task: { kind: 'csv', file: `${UPLOAD_PREFIX}${fileName}`, label: label === '' ? '' : table.label, heldOut },
      draft: next,
      columns,
      summary: `${fileName}: ${table.rows} rows (${train} to train on, ${held} held out), ${table.features.length} features, ${table.classes.length} classes of "${table.label}" (${table.classes.slice(0, 6).join(', ')}${table.classes.length > 6 ? ', …' : ''}).`,
    };
  },
};

/** Accepted file types by extension; a text corpus (.txt) plugs in as another entry. */
export const UPLOAD_KINDS: UploadKind[] = [csvUpload];

/** Upload names handed to the worker in this page. */
const uploaded = new Set<string>();

interface Loaded {
  kind: UploadKind;
  name: string;
  bytes: Uint8Array;
  columns?: string[];
}

export function UploadData({ accept = UPLOAD_KINDS.map((k) => k.extension) }: { accept?: string[] }) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<string | null>(null);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const needed = useExperiment((s) => (s.draft.task as { file?: unknown } | undefined)?.file);
  const missing = typeof needed === 'string' && needed.startsWith(UPLOAD_PREFIX) && !uploaded.has(needed) ? needed.slice(UPLOAD_PREFIX.length) : null;

  /** Checks the file (with this label column), hands it to the worker and points the draft at it. */
  const adopt = (file: Loaded, label: string) => {
    try {
      const result = file.kind.adopt(file.bytes, file.name, useExperiment.getState().draft, label);
      const name = `${UPLOAD_PREFIX}${file.name}`;
      training.upload(name, file.bytes.slice());
      uploaded.add(name);
      setDraft({ ...result.draft, task: result.task });
      setLoaded({ ...file, columns: result.columns });
      setSummary(result.summary);
      setError(null);
      // The errors about this file being missing are answered; an experiment that was waiting for an
      // upload (a link: its worker could not start without the file) is applied at once.
      useRuns.setState((s) => ({ errors: s.errors.filter((e) => !e.includes(`"${file.name}"`)) }));
      if ('file' in useExperiment.getState().spec.task) applyExperiment();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setSummary(null);
    }
  };

  const choose = async (file: File | undefined) => {
    if (!file) return;
    const kind = UPLOAD_KINDS.find((k) => accept.includes(k.extension) && file.name.toLowerCase().endsWith(k.extension));
    setSummary(null);
    if (!kind) return setError(`${file.name}: the lab reads ${accept.join(' or ')} files.`);
    if (file.size === 0) return setError(`${file.name}: the file is empty.`);
    if (file.size > kind.maxBytes) return setError(`${file.name}: the file is ${(file.size / 1048576).toFixed(1)} MB; the limit is ${kind.maxBytes / 1048576} MB.`);
    adopt({ kind, name: file.name, bytes: new Uint8Array(await file.arrayBuffer()) }, '');
  };

  const task = useExperiment((s) => s.draft.task as { label?: unknown } | undefined);
  return (
    <div className="field upload" data-testid="upload">
      <label htmlFor={id} title="The file stays on this device: the link names it but does not carry it">
        Your data ({accept.join(', ')})
      </label>
      <input
        id={id}
        type="file"
        accept={accept.join(',')}
        data-testid="upload-input"
        aria-invalid={Boolean(error)}
        onChange={(e) => void choose(e.target.files?.[0])}
      />
      {missing && !error && (
        <span className="field-error" role="alert" data-testid="upload-needed">
          Choose “{missing}” (or another table) to train on: a file stays on the device that uploaded it.
        </span>
      )}
      {error && (
        <span className="field-error" role="alert" data-testid="upload-error">
          {error}
        </span>
      )}
      {summary && (
        <span className="hint" data-testid="upload-summary">
          {summary} It stays on this device.
        </span>
      )}
      {loaded?.columns && (
        <label className="upload-label">
          Label column{' '}
          <select value={typeof task?.label === 'string' && task.label !== '' ? task.label : loaded.columns[loaded.columns.length - 1]} onChange={(e) => adopt(loaded, e.target.value)}>
            {loaded.columns.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}
