/**
 * Keeping what a person trains: every checkpoint the worker posts (every few seconds while training, and
 * when it stops) is stored with the experiment, its view and every run's metric rows (storage/saved.ts).
 * The address bar carries the saved experiment's id (`&s=<id>` after the link), so a reload or a restored
 * crashed tab reopens it from storage, paused at its last checkpoint, ready to resume. A full disk stops
 * the saving, never the training: the page says so and offers an export.
 */
import { create } from 'zustand';
import { isCheckpoint, type TrainerCheckpoint } from '../engine/checkpoint';
import { ClassroomSpec } from '../spec/classroom';
import { validateSpec } from '../spec/schema';
import { ViewSpec, defaultView } from '../spec/view';
import { StorageError, cutToCheckpoint, loadSaved, newSaveId, saveExperiment, type RunsData, type SavedExperiment } from '../storage/saved';
import type { BackendChoice } from '../worker/protocol';
import { setClassroom, useClassroom } from './stores/classroom';
import { setSpec, useExperiment } from './stores/experiment';
import { useRuns } from './stores/runs';
import { useView } from './stores/view';
import { checkpointListeners, training } from './trainingClient';

/** The fragment key of the saved experiment's id (never part of a shared link). */
export const SAVE_KEY = 's';

interface StorageState {
  /** The id under which the open experiment is saved. */
  saveId: string | null;
  /** Saving failed because storage is full (training goes on). */
  full: boolean;
  /** The last saving error, if any. */
  error: string | null;
  lastSaved: number | null;
  /** Changes on every save, delete or rename (the saved list re-reads). */
  version: number;
}

export const useStorage = create<StorageState>(() => ({ saveId: null, full: false, error: null, lastSaved: null, version: 0 }));

let latestCheckpoint: TrainerCheckpoint | null = null;
let saving = false;
let again = false;

/** The saved experiment's id in a page address, if any. */
export function saveIdInUrl(href: string): string | null {
  const hash = href.includes('#') ? href.slice(href.indexOf('#') + 1) : '';
  const id = new URLSearchParams(hash).get(SAVE_KEY);
  return id && /^[a-z0-9]{1,32}$/i.test(id) ? id : null;
}

/** `url` with the saved experiment's id appended to its fragment. */
export function withSaveId(url: string): string {
  const { saveId, lastSaved } = useStorage.getState();
  return saveId && lastSaved !== null ? `${url}&${SAVE_KEY}=${saveId}` : url;
}

/** From now on, a new saved experiment (a new link or preset was opened). */
export function startNewSave(): void {
  latestCheckpoint = null;
  useStorage.setState({ saveId: newSaveId(), lastSaved: null });
}

/** The runs store without what belongs to this page's session (backend, playing, errors, …): kept whole. */
export function runsData(): RunsData {
  const { backend: _b, loadingBackend: _l, playing: _p, version: _v, dataLoading: _d, errors: _e, ...data } = useRuns.getState();
  return data;
}

export function currentRecord(): SavedExperiment {
  return {
    id: useStorage.getState().saveId ?? newSaveId(),
    spec: latestCheckpoint?.spec ?? useExperiment.getState().spec,
    view: useView.getState(),
    classroom: useClassroom.getState().classroom,
    // Stored as they are (rows after the checkpoint included); they are cut back to it when reopened.
    data: runsData(),
    checkpoint: latestCheckpoint,
  };
}

export async function saveNow(): Promise<void> {
  if (saving) {
    again = true;
    return;
  }
  saving = true;
  try {
    do {
      again = false;
      const record = currentRecord();
      if (!useStorage.getState().saveId) useStorage.setState({ saveId: record.id });
      if (Math.max(0, ...record.data.runs.map((r) => r.step)) === 0) continue; // nothing trained yet
      await saveExperiment(record);
      useStorage.setState((s) => ({ full: false, error: null, lastSaved: Date.now(), version: s.version + 1 }));
    } while (again);
  } catch (err) {
    const e = err instanceof StorageError ? err : new StorageError('other', String(err));
    useStorage.setState({ full: e.kind === 'full', error: e.message });
  } finally {
    saving = false;
  }
}

let started = false;
/** Stores every checkpoint the worker posts. */
export function startAutosave(): void {
  if (started) return;
  started = true;
  checkpointListeners.add((checkpoint) => {
    latestCheckpoint = checkpoint;
    void saveNow();
  });
}

/**
 * Reopens a saved experiment, paused at its last checkpoint. Returns false (and changes nothing) when it
 * is not there, has no checkpoint yet, or no longer validates.
 */
export async function reopenSaved(id: string, backend: BackendChoice, name?: string): Promise<boolean> {
  let record: SavedExperiment | undefined;
  try {
    record = await loadSaved(id);
  } catch {
    // A damaged record is listed as such from now on (storage/saved.ts): let the list show it.
    useStorage.setState((s) => ({ version: s.version + 1 }));
    return false;
  }
  if (!record || !isCheckpoint(record.checkpoint)) return false;
  const spec = validateSpec(record.checkpoint.spec);
  if (!spec.ok) return false;
  const data = record.data;
  if (typeof data !== 'object' || data === null || !Array.isArray(data.runs) || typeof data.metrics !== 'object' || data.metrics === null) return false;
  const checkpoint = { ...record.checkpoint, spec: spec.spec };
  const view = ViewSpec.safeParse(record.view);
  const classroom = record.classroom ? ClassroomSpec.safeParse(record.classroom) : null;
  latestCheckpoint = checkpoint;
  useStorage.setState({ saveId: id, lastSaved: Date.now() });
  const step = Math.max(0, ...checkpoint.runs.map((r) => Number(r.state.step) || 0));
  setSpec(spec.spec, `Restored ${name ? `“${name}”` : 'your experiment'} from this browser's storage at step ${step.toLocaleString('en-US')}. Press Run to resume.`);
  useView.setState(view.success ? view.data : defaultView());
  setClassroom(classroom?.success ? classroom.data : null);
  useRuns.setState((s) => ({ ...cutToCheckpoint(data, checkpoint), version: s.version + 1 }));
  training.restore(checkpoint, backend, false);
  return true;
}
