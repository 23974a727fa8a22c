/**
 * Checkpoints: a trainer's whole state as plain data (structured-cloneable: it crosses postMessage and goes
 * into IndexedDB), so a reloaded or crashed page can resume training exactly where it stopped. Run state is
 * captured generically — every field of a run except its spec, its live noise tracker and its tensors — so
 * fields added to a run later travel without this file changing. A restored trainer continues bit for bit
 * as the uninterrupted one would (test/checkpoint.test.ts). No runtime import of tfjs here: the page
 * imports this module, and the main thread never loads tfjs.
 */
import type * as tf from './tf';
import type { ExperimentSpec } from '../spec/schema';
import { NoiseScaleTracker } from './noise';

/** Bump when the layout below changes; an unknown format is not restored. */
export const CHECKPOINT_FORMAT = 1;

export interface SavedTensor {
  shape: number[];
  values: Float32Array;
}

export interface RunCheckpoint {
  id: string;
  /** The run's state fields (progress, stream key, …), as plain data. */
  state: Record<string, unknown>;
  /** The noise tracker's fields (its EMAs). */
  noise: Record<string, unknown>;
  /** Parameters then optimizer slots, each with a run axis of 1; null for a run that holds none (done, diverged, waiting). */
  tensors: SavedTensor[] | null;
}

export interface TrainerCheckpoint {
  format: number;
  spec: ExperimentSpec;
  runs: RunCheckpoint[];
}

export function saveTracker(tracker: NoiseScaleTracker): Record<string, unknown> {
  return { ...tracker };
}

export function loadTracker(saved: Record<string, unknown>): NoiseScaleTracker {
  return Object.assign(new NoiseScaleTracker(0), saved);
}

/** Reads tensors back (the caller keeps ownership and disposes them). */
export async function readTensors(tensors: tf.Tensor[]): Promise<SavedTensor[]> {
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  return tensors.map((t, i) => ({ shape: [...t.shape], values: Float32Array.from(values[i]) }));
}

/** Whether `value` looks like a checkpoint this code can restore (a stored one may come from another version). */
export function isCheckpoint(value: unknown): value is TrainerCheckpoint {
  const c = value as TrainerCheckpoint | null;
  return typeof c === 'object' && c !== null && c.format === CHECKPOINT_FORMAT && typeof c.spec === 'object' && Array.isArray(c.runs);
}
