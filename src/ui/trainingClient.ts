/**
 * The UI's side of training: one pool of workers per page (training/pool.ts), commands out, reports into
 * the stores. The main thread never imports tfjs.
 */
import type { TrainerCheckpoint } from '../engine/checkpoint';
import type { ExperimentSpec } from '../spec/schema';
import type { BackendChoice } from '../worker/protocol';
import { useRuns } from './stores/runs';
import { Pool } from './training/pool';
import { startRace } from './training/race';

export const pool = new Pool();
startRace(pool);

/**
 * State and levers for end-to-end tests and the benchmark (read, never trusted: nothing here changes what
 * a person sees except by the same paths a real failure takes).
 */
Object.assign(globalThis, {
  sgdLab: {
    metrics: () => useRuns.getState().metrics,
    workers: () => pool.workerCount,
    /** Each recovery: why, and when (performance.now()) the failure was seen and training went on. */
    recoveries: () => pool.recoveries,
    /** performance.now() on the page, to time a failure caused from a test against its recovery. */
    now: () => performance.now(),
    failWorker: (index: number, how: 'throw' | 'hang' | 'exit') => pool.failWorker(index, how),
    failReplacements: (how: 'throw' | 'hang' | 'exit' | null) => (pool.failReplacements = how),
    /** The workers' tf.memory(), summed (bench/soak.ts): nothing on the page shows it. */
    memory: () => pool.memory(),
  },
});

/** Who wants the checkpoints of the whole experiment (the persistence layer). */
export const checkpointListeners = pool.checkpointListeners;

export const training = {
  load: (spec: ExperimentSpec, backend: BackendChoice, play: boolean) => pool.load(spec, backend, play),
  update: (spec: ExperimentSpec) => pool.update(spec),
  play: () => pool.play(),
  pause: () => pool.pause(),
  step: () => pool.step(),
  fork: (parent: string, id: string, batchSize: number, learningRate: number) => pool.fork(parent, id, batchSize, learningRate),
  reset: () => pool.reset(),
  snapshot: (a: string, b: string) => pool.snapshot(a, b),
  restore: (checkpoint: TrainerCheckpoint, backend: BackendChoice, play: boolean) => pool.restore(checkpoint, backend, play),
  /** Hands the workers a person's file (each gets its own copy; replacements get it too). */
  upload: (name: string, bytes: Uint8Array) => pool.upload(name, bytes),
  resize: (size: number) => pool.resize(size),
};
