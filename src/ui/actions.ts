/** What a person's actions do: each updates the stores, tells the worker, and keeps the URL in step. */
import { decodeLink, linkUrl, type LinkState } from '../spec/link';
import { checkPublicUrl, shareBase } from '../spec/publicUrl';
import { twinRun } from '../engine/compare';
import { defaultSpec, formatIssues, validateSpec, type ComparisonSpec, type ExperimentSpec } from '../spec/schema';
import type { BackendChoice } from '../worker/protocol';
import { adoptSpec, applyDraft, setSpec, useExperiment } from './stores/experiment';
import { reportError } from './stores/runs';
import { useView } from './stores/view';
import { setClassroom, useClassroom } from './stores/classroom';
import { training } from './trainingClient';
import { reopenSaved, saveIdInUrl, startNewSave, useStorage, withSaveId } from './persistence';

/** The hosted lab's address that copied links point to (VITE_PUBLIC_URL at build time, checked there), or null. */
export const PUBLIC_URL = checkPublicUrl(import.meta.env.VITE_PUBLIC_URL);

/** The address copied links are built on: the public URL, else this page's own. */
export const shareAddress = (): string => shareBase(location.href, PUBLIC_URL);

function linkState(): LinkState {
  const state: LinkState = { spec: useExperiment.getState().spec, view: useView.getState(), autorun: false };
  const { classroom } = useClassroom.getState();
  if (classroom) state.classroom = classroom;
  return state;
}

/** The experiment and view as a link to hand on (*Copy link*). */
export function shareLink(): string {
  return linkUrl(shareAddress(), linkState());
}

/** The experiment and view on this page's own address (the address bar). */
function pageLink(): string {
  return linkUrl(location.href, linkState());
}

/**
 * From now on, keeps the address bar equal to the experiment and view, so a reload reopens them (paused,
 * waiting for Run). Called once the page has opened its experiment.
 */
export function keepUrlInSync(): void {
  const sync = () => history.replaceState(null, '', withSaveId(pageLink()));
  useExperiment.subscribe((state, prev) => state.spec !== prev.spec && sync());
  useView.subscribe(sync);
  useClassroom.subscribe(sync);
  // The saved experiment's id joins the address once something is saved under it.
  useStorage.subscribe((state, prev) => (state.saveId !== prev.saveId || (state.lastSaved !== null && prev.lastSaved === null)) && sync());
}

export function applyExperiment(): ExperimentSpec | null {
  const spec = applyDraft();
  if (spec) training.update(spec);
  return spec;
}

/** Forks a run now into a new run with its own batch size and learning rate (the worker picks the step). */
export function forkRun(parent: string, id: string, batchSize: number, learningRate: number): void {
  training.fork(parent, id, batchSize, learningRate);
}

/**
 * Trains a changed copy of the experiment (comparisons, a seed twin) without touching edits in progress.
 * Returns false (with the reason reported) when the change makes the experiment invalid.
 */
function changeExperiment(change: (spec: ExperimentSpec) => ExperimentSpec): boolean {
  const result = validateSpec(change(useExperiment.getState().spec));
  if (!result.ok) {
    reportError(formatIssues(result.issues));
    return false;
  }
  adoptSpec(result.spec);
  training.update(result.spec);
  return true;
}

/** Adds a comparison (and shows it); one of the same pair and level is shown instead of added twice. */
export function addComparison(comparison: ComparisonSpec): void {
  const { comparisons } = useExperiment.getState().spec;
  const same = comparisons.findIndex((c) => c.a === comparison.a && c.b === comparison.b && c.level === comparison.level);
  if (same >= 0) return useView.setState({ comparison: same });
  if (changeExperiment((spec) => ({ ...spec, comparisons: [...spec.comparisons, comparison] }))) useView.setState({ comparison: comparisons.length });
}

export function removeComparison(index: number): void {
  changeExperiment((spec) => ({ ...spec, comparisons: spec.comparisons.filter((_, i) => i !== index) }));
  useView.setState((v) => ({ comparison: Math.max(0, Math.min(v.comparison, useExperiment.getState().spec.comparisons.length - 1)) }));
}

/** Compares `a` and `b` at the held-out loss of the one further down, now (the worker picks the level). */
export function snapshotNow(a: string, b: string): void {
  useView.setState({ comparison: useExperiment.getState().spec.comparisons.length });
  training.snapshot(a, b);
}

/** Adds and trains a run that differs from `runId` only in seed: the baseline of a comparison. */
export function addSeedTwin(runId: string): void {
  try {
    changeExperiment((spec) => ({ ...spec, runs: [...spec.runs, twinRun(spec, runId)] }));
  } catch (err) {
    reportError((err as Error).message);
  }
}

/** The backend asked for by `?backend=` (for tests, benchmarks and people who know what they want). */
export function requestedBackend(): BackendChoice {
  const asked = new URLSearchParams(location.search).get('backend');
  return asked === 'webgpu' || asked === 'webgl' || asked === 'wasm' || asked === 'cpu' ? asked : 'auto';
}

/**
 * Opens the experiment in the URL, or the default one. A bad link opens the default experiment with a
 * notice saying what was wrong; the default experiment (no link) starts training at once.
 */
export function openFromUrl(): void {
  // A page address with a saved experiment's id (a reload, a restored tab) reopens it from storage.
  const saved = saveIdInUrl(location.href);
  if (saved) {
    void reopenSaved(saved, requestedBackend()).then((ok) => ok || openLink());
    return;
  }
  openLink();
}

/** Opens the experiment of the link in the address bar (or the default one) as a new saved experiment. */
function openLink(): void {
  startNewSave();
  let autorun = true;
  if (location.hash.length > 1) {
    const decoded = decodeLink(location.href);
    if (decoded.ok) {
      setSpec(decoded.state.spec, null);
      useView.setState(decoded.state.view);
      setClassroom(decoded.state.classroom ?? null);
      autorun = decoded.state.autorun;
    } else {
      setSpec(defaultSpec(), `${decoded.error} The default experiment opened instead.`);
    }
  }
  training.load(useExperiment.getState().spec, requestedBackend(), autorun);
}

export function switchBackend(choice: BackendChoice): void {
  const url = new URL(location.href);
  if (choice === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', choice);
  history.replaceState(null, '', url);
  training.load(useExperiment.getState().spec, choice, true);
}
