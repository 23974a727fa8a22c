/**
 * A run's state inside the trainer, the metric rows it reports, and what its spec says at a given step
 * (batch size and learning rate after a scheduled change, samples left in a single pass). Plain data and
 * pure functions: the trainer and its helpers (groups, chunk, forks) share them.
 */
import type * as tf from './tf';
import type { ExperimentSpec, RunSpec } from '../spec/schema';
import { NoiseScaleTracker, temperature } from './noise';
import { Domain, hashKeys } from './rng';
import { lrFactor } from './schedule';
import type { LadderPoint } from './ladder';
import type { Task } from './tasks';

/** waiting: a fork whose parent has not reached the fork step yet. */
export type RunStatus = 'waiting' | 'running' | 'done' | 'diverged';

export interface MetricRow {
  step: number;
  samples: number;
  trainLoss: number;
  /** Held-out loss on the probe set, only on the steps where it was evaluated. */
  evalLoss?: number;
  /** Offline only: loss on a fixed subset of the training set, where evaluated. */
  trainSetLoss?: number;
  /** Batch size and learning rate used at this step. */
  batchSize: number;
  lr: number;
  /** η/B, or η/(B(1−β)) with momentum. */
  temperature: number;
  /** |ḡ|, the norm of the minibatch gradient, on the steps where noise was measured. */
  gradNorm?: number;
  /** B_simple = EMA(tr Σ) / EMA(|G|²), once resolved and its interval exists (noise.ts). */
  noiseScale?: number;
  /** Its 95 % interval: always with noiseScale. */
  noiseScaleLow?: number;
  noiseScaleHigh?: number;
  /** Set where the interval of |G|² reaches zero: B_simple ≫ B, not resolved (and no noiseScale). */
  noiseUnresolved?: true;
  /** Set while too few measurements lie behind B_simple for its interval: estimating (and no noiseScale). */
  noiseEstimating?: true;
  /** Time spent computing this run's steps so far (its group's compute time), in ms. */
  wallMs: number;
}

export interface RunProgress {
  id: string;
  status: RunStatus;
  step: number;
  samples: number;
  wallMs: number;
  batchSize: number;
  lr: number;
  temperature: number;
  noiseScale: number | null;
  /** B_simple's interval, and whether it is unresolved or still estimating (as in MetricRow). */
  noiseScaleLow?: number;
  noiseScaleHigh?: number;
  noiseUnresolved?: boolean;
  noiseEstimating?: boolean;
  trainLoss: number | null;
  evalLoss: number | null;
  trainSetLoss: number | null;
  /** Why the run stopped, when it did not simply finish its budget. */
  reason?: string;
}

export interface RunState extends RunProgress {
  spec: RunSpec;
  /** The key of this run's sample order (a fork shares its parent's). */
  streamKey: number;
  noise: NoiseScaleTracker;
  /** Where this run first reached each ladder level it has reached, highest level first. */
  ladder: LadderPoint[];
  /** Tensors of this run alone ([1, ...]), held only between a regroup's split and its merge. */
  loose?: tf.Tensor[];
}

/** The run's progress alone (what the UI and the runner see). */
export function progressOf(run: RunState): RunProgress {
  const { spec: _s, streamKey: _k, noise: _n, loose: _l, ladder: _ladder, ...progress } = run;
  return { ...progress };
}

/** The batch size at `step`: the run's own, times the change's factor from its step on. */
export function batchAt(run: RunSpec, step: number): number {
  const c = run.change;
  return c && step >= c.atStep ? Math.round(run.batchSize * c.batchFactor) : run.batchSize;
}

/** The learning rate at `step`: the schedule's, divided by the change's divisor from its step on. */
export function lrAt(experiment: ExperimentSpec, run: RunSpec, step: number): number {
  const c = run.change;
  const base = run.learningRate * lrFactor(experiment.lrSchedule, step, experiment.budgetSteps);
  return c && step >= c.atStep ? base / c.lrDivisor : base;
}

/** A run at step 0 (a fork waits for its parent, and takes its state and stream then). */
export function freshRun(experiment: ExperimentSpec, spec: RunSpec): RunState {
  const batchSize = batchAt(spec, 0);
  const lr = lrAt(experiment, spec, 0);
  return {
    id: spec.id,
    spec,
    streamKey: hashKeys(experiment.dataSeed, Domain.train, spec.seed),
    noise: new NoiseScaleTracker(experiment.noise.smoothing),
    ladder: [],
    status: spec.fork ? 'waiting' : 'running',
    step: 0,
    samples: 0,
    wallMs: 0,
    batchSize,
    lr,
    temperature: temperature(lr, batchSize, experiment.optimizer),
    noiseScale: null,
    trainLoss: null,
    evalLoss: null,
    trainSetLoss: null,
  };
}

/** Online on a finite set (Task.streamSize): the samples left in the run's single pass; else null. */
export function onlineSamplesLeft(task: Task, experiment: ExperimentSpec, run: RunState): number | null {
  const size = task.streamSize;
  return size === undefined || experiment.regime.kind !== 'online' ? null : size - run.samples;
}
