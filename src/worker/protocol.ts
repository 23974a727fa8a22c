/**
 * The one message protocol between the UI (main thread) and the training worker. Both sides import these
 * types; nothing else crosses the boundary. The worker owns all training state and is the source of truth
 * for run progress: the UI only renders what it reports.
 */
import type { LadderPoint } from '../engine/ladder';
import type { MetricRow, ProbeInfo, RunProgress } from '../engine/trainer';
import type { ExperimentSpec } from '../spec/schema';
import type { TrainerCheckpoint } from '../engine/checkpoint';

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
  /** Picks (and self-tests) the backend before any experiment is loaded: the page sizes its pool by it. */
  | { type: 'choose'; backend: BackendChoice }
  /**
   * Compares two runs at the held-out loss the one further down has now (see Trainer.snapshotNow).
   * `elsewhere`: the latest progress of the run that another worker of the pool trains.
   */
  | { type: 'snapshot'; a: string; b: string; elsewhere?: RunProgress }
  /** The page's heartbeat: answered at once with a pong whenever the worker's event loop is free. */
  | { type: 'ping'; id: number }
  /**
   * Measures samples/s of a few steps of `spec` on each candidate backend, in order, within `budgetMs`
   * in all (a scout worker that trains nothing else; see ui/training/race.ts).
   */
  | { type: 'race'; spec: ExperimentSpec; candidates: BackendName[]; budgetMs: number }
  /** Test-only: makes this worker fail (throw while training, hang its event loop, or exit silently). */
  | { type: 'fail'; how: 'throw' | 'hang' | 'exit' }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'reset' }
  /** Like load, but every run continues from a checkpoint (a saved experiment reopened after a reload). */
  | { type: 'restore'; checkpoint: TrainerCheckpoint; backend: BackendChoice; play: boolean }
  /** A person's own data file (an upload: name "upload:<file name>"), kept in the worker's Assets map; never fetched or sent elsewhere. */
  | { type: 'upload'; name: string; bytes: Uint8Array }
  /** Asks for the backend's memory between two chunks of steps (answered by a 'memory' report). */
  | { type: 'memory' };

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  /** These runs start over from step 0: drop their metrics. `runs` is the full list, in spec order. */
  | { type: 'restarted'; ids: string[]; runs: RunProgress[]; lossFloor: number | null; probe: ProbeInfo }
  /**
   * New metric rows and loss-ladder points per run id since the last message, and every run's progress.
   * At most ~10 per second.
   */
  | { type: 'metrics'; rows: Record<string, MetricRow[]>; ladder: Record<string, LadderPoint[]>; runs: RunProgress[] }
  | { type: 'playing'; playing: boolean }
  /** Progress of loading a data file the task needs (bytes; total null when the server does not say). */
  | { type: 'data'; name: string; loaded: number; total: number | null; done: boolean }
  /** The worker changed the experiment (a fork was added, with its step filled in): adopt it as the spec. */
  | { type: 'experiment'; spec: ExperimentSpec }
  /** A command that failed (a load that could not start, a fork refused); fatal ones stop training. */
  | { type: 'error'; message: string; fatal: boolean }
  /** The trainer's whole state, every few seconds while training and on pause, for the page to store. */
  | { type: 'checkpoint'; checkpoint: TrainerCheckpoint }
  /** tf.memory() of the worker's backend: tensors alive and their bytes (the soak benchmark watches both). */
  | { type: 'memory'; backend: string; numTensors: number; numBytes: number }
  | { type: 'pong'; id: number }
  /**
   * The worker can no longer train (a lost GPU device, a GPU validation error, an exception while
   * training): the page replaces it and restores its runs (ui/training/supervisor.ts).
   */
  | { type: 'failed'; message: string }
  /** One candidate of a race: its measured samples/s, or null with the reason it was not measured. */
  | { type: 'rate'; backend: BackendName; samplesPerSecond: number | null; note: string }
  | { type: 'raceDone' };
