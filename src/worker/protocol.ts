/**
 * The one message protocol between the UI (main thread) and the training worker. Both sides import these
 * types; nothing else crosses the boundary. The worker owns all training state and is the source of truth
 * for run progress: the UI only renders what it reports.
 */
import type { MetricRow, RunProgress } from '../engine/trainer';
import type { ExperimentSpec } from '../spec/schema';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;
export const BACKEND_CHOICES: BackendChoice[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  name: BackendName;
  requested: BackendChoice;
  /** The WebGPU adapter's description (vendor, architecture), when WebGPU runs. */
  adapter: string | null;
  /** The adapter is a software fallback (e.g. SwiftShader), i.e. no real GPU. */
  softwareAdapter: boolean;
  /** Runs sharing a batch size train as one stacked computation (chosen per backend). */
  groupedRuns: boolean;
  /** Why other backends were skipped or failed, in the order they were tried. */
  notices: string[];
}

export type ToWorker =
  /** (Re)creates the trainer on the chosen backend; restarts every run. */
  | { type: 'load'; spec: ExperimentSpec; backend: BackendChoice; play: boolean }
  /** Adopts an edited experiment; unchanged runs keep training (see Trainer.update). */
  | { type: 'update'; spec: ExperimentSpec }
  /** Forks `parent` at its current step into a new run `id` with its own batch size and learning rate. */
  | { type: 'fork'; parent: string; id: string; batchSize: number; learningRate: number }
  /** A file the person chose (named "upload:<file name>", see data/assets.ts): kept in the worker's data files. */
  | { type: 'upload'; name: string; bytes: Uint8Array }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' };

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  /** These runs start over from step 0: drop their metrics. `runs` is the full list, in spec order. */
  | { type: 'restarted'; ids: string[]; runs: RunProgress[]; lossFloor: number | null }
  /** New metric rows per run id since the last message, and every run's progress. At most ~10 per second. */
  | { type: 'metrics'; rows: Record<string, MetricRow[]>; runs: RunProgress[] }
  | { type: 'playing'; playing: boolean }
  /** Progress of loading a data file the task needs (bytes; total null when the server does not say). */
  | { type: 'data'; name: string; loaded: number; total: number | null; done: boolean }
  /** The worker changed the experiment (a fork was added, with its step filled in): adopt it as the spec. */
  | { type: 'experiment'; spec: ExperimentSpec }
  /** A failure the person must see. Fatal ones (a GPU validation error, a lost device) stop training. */
  | { type: 'error'; message: string; fatal: boolean };
