/**
 * Your own text for the text task: a .txt file checked here (data/text.ts: not empty, not binary, not too
 * large, long enough for the experiment), kept on this device and handed to the worker under the name
 * "upload:<file name>". The experiment (and so a link) names the file but never carries it: a link that
 * needs one asks for it here.
 */
import { useId, useState } from 'react';
import { create } from 'zustand';
import { isUpload, UPLOAD_PREFIX } from '../../engine/data/assets';
import { MAX_TEXT_BYTES, TextDataError, checkUpload, uploadName } from '../../engine/data/text';
import { requestedBackend } from '../actions';
import { editDraft, useExperiment } from '../stores/experiment';
import { training } from '../trainingClient';

export interface UploadedText {
  /** The asset name, "upload:<file name>". */
  name: string;
  characters: number;
  vocabulary: number;
  trainWindows: number;
}

/** Files chosen in this page, by asset name (their bytes live in the worker). */
export const useUploads = create<{ files: Record<string, UploadedText> }>(() => ({ files: {} }));

const numberOr = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback);

/** The applied experiment's uploaded text, when this page does not hold it (e.g. it was opened from a link). */
export function useMissingUpload(): string | null {
  const task = useExperiment((s) => s.spec.task);
  const files = useUploads((s) => s.files);
  return task.kind === 'text' && isUpload(task.corpus) && !files[task.corpus] ? task.corpus : null;
}

export function UploadText() {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const missing = useMissingUpload();

  async function choose(file: File): Promise<void> {
    setError(null);
    setNote(null);
    const { draft, spec } = useExperiment.getState();
    const task = draft.task as { context?: unknown };
    const runs = Array.isArray(draft.runs) ? (draft.runs as { batchSize?: unknown }[]) : [];
    const experiment = {
      context: numberOr(task.context, 32),
      batchSizes: runs.map((r) => numberOr(r.batchSize, 1)),
      budgetSteps: numberOr(draft.budgetSteps, 1),
    };
    try {
      if (file.size > MAX_TEXT_BYTES) throw new TextDataError(`"${file.name}" is ${(file.size / 1024 / 1024).toFixed(1)} MB; a text may be at most ${MAX_TEXT_BYTES / 1024 / 1024} MB.`);
      const bytes = new Uint8Array(await file.arrayBuffer());
      const check = checkUpload(file.name, bytes, experiment);
      const name = uploadName(file.name);
      training.upload(name, bytes);
      useUploads.setState((s) => ({
        files: { ...s.files, [name]: { name, characters: check.corpus.tokens.length, vocabulary: check.corpus.vocabulary.length, trainWindows: check.trainWindows } },
      }));
      if (check.shortRuns.length) {
        const runs = check.shortRuns.map((r) => `B = ${r.batchSize} after ${r.steps.toLocaleString('en-US')} steps`).join(', ');
        setNote(`Online, a run reads each of the ${check.trainWindows.toLocaleString('en-US')} training windows once, so runs stop early: ${runs}.`);
      }
      if (spec.task.kind === 'text' && spec.task.corpus === name) {
        // The experiment in force needed this very file (a link): load it now, paused until Run.
        training.load(spec, requestedBackend(), false);
      } else {
        editDraft(['task', 'corpus'], name);
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <div className={`field upload-text${error ? ' invalid' : ''}`} data-testid="upload-text">
      {missing && (
        <p className="field-error" role="alert" data-testid="upload-needed">
          This experiment trains on your file “{missing.slice(UPLOAD_PREFIX.length)}”, which a link does not carry: choose it to run.
        </p>
      )}
      <label htmlFor={id}>Your own text (.txt, UTF-8, ≤ 8 MB; it stays on this device)</label>
      <input
        id={id}
        type="file"
        accept=".txt,text/plain"
        data-testid="upload-text-input"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void choose(file);
        }}
      />
      {error && (
        <span className="field-error" role="alert" data-testid="upload-text-error">
          {error}
        </span>
      )}
      {note && <span className="hint">{note}</span>}
    </div>
  );
}
