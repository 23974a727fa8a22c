/**
 * Groups: the runs that train as one computation along the run axis, with their stacked parameters,
 * optimizer slots and the evaluation sets tiled to the group's size. Runs at the same batch size (and
 * estimator phase) may share a group; whether they do is the trainer's option (`groupRuns`). Between a
 * split and the next build every running run holds its own tensors (RunState.loose).
 */
import * as tf from './tf';
import type { ExperimentSpec } from '../spec/schema';
import type { Model } from './models/model';
import { slotsPerParam } from './optimizer';
import type { GroupTensors } from './step';
import type { MapGrid } from './ladder';
import { batchAt, type RunState } from './runState';

export interface Group {
  batchSize: number;
  microBatches: number;
  runs: RunState[];
  tensors: GroupTensors;
  probeX: tf.Tensor;
  probeY: tf.Tensor;
  trainSetX: tf.Tensor | null;
  trainSetY: tf.Tensor | null;
  /** 2-D tasks: the decision-map grid's inputs, tiled [R, size², 2]. */
  gridX: tf.Tensor | null;
}

/** The fixed example sets a group evaluates, as plain data (tiled per group). */
export interface EvalSets {
  inputDim: number;
  outputDim: number;
  probeX: Float32Array;
  probeY: Float32Array;
  probeSize: number;
  trainSet: { x: Float32Array; y: Float32Array; size: number } | null;
  grid: MapGrid | null;
}

/** The largest k ≤ wanted (and ≥ 2) that splits the batch evenly, or 1 where none does. */
export function microBatchesFor(batchSize: number, wanted: number): number {
  for (let k = Math.min(wanted, batchSize); k >= 2; k--) if (batchSize % k === 0) return k;
  return 1;
}

/** A run's starting tensors: seeded parameters and zeroed optimizer slots, each with a run axis of 1. */
export function initialTensors(model: Model, experiment: ExperimentSpec, seed: number): tf.Tensor[] {
  const shapes = model.paramShapes();
  const params = model.initParams(seed).map((values, i) => tf.tensor3d(values, [1, ...shapes[i]] as [number, number, number]));
  const k = slotsPerParam(experiment.optimizer);
  const slots = shapes.flatMap((shape) => Array.from({ length: k }, () => tf.zeros([1, ...shape])));
  return [...params, ...slots];
}

/** A copy of the tensors of `run`, a member of `group` (parameters, then optimizer slots; each [1, ...]). */
export function sliceRun(group: Group, run: RunState): tf.Tensor[] {
  const r = group.runs.indexOf(run);
  return [...group.tensors.params, ...group.tensors.slots].map((t) => tf.slice(t, [r], [1]));
}

/** Splits every group into per-run tensors (run.loose) and releases the groups' own tensors. */
export function splitGroups(groups: Group[]): void {
  for (const group of groups) {
    const { params, slots } = group.tensors;
    const all = [...params, ...slots];
    const pieces = all.map((t) => (group.runs.length === 1 ? [t] : tf.split(t, group.runs.length, 0)));
    group.runs.forEach((run, r) => (run.loose = pieces.map((p) => p[r])));
    if (group.runs.length > 1) all.forEach((t) => t.dispose());
    tf.dispose([group.probeX, group.probeY, ...[group.trainSetX, group.trainSetY, group.gridX].filter((t): t is tf.Tensor => t !== null)]);
  }
}

/**
 * Stacks running runs that hold their own tensors (run.loose, taken from them) into groups: by batch size
 * and estimator phase where `groupRuns`, else one group per run.
 */
export function buildGroups(running: RunState[], experiment: ExperimentSpec, model: Model, sets: EvalSets, groupRuns: boolean): Group[] {
  const byKey = new Map<string, RunState[]>();
  for (const run of running) {
    const batch = batchAt(run.spec, run.step);
    const phase = experiment.noise.every > 1 ? run.step % experiment.noise.every : 0;
    const key = groupRuns ? `b${batch}p${phase}` : run.id;
    byKey.set(key, [...(byKey.get(key) ?? []), run]);
  }
  const nParams = model.paramShapes().length;
  const tileSet = (values: Float32Array, rows: number, width: number, R: number) =>
    tf.tidy(() => tf.tile(tf.tensor3d(values, [1, rows, width]), [R, 1, 1]));
  return [...byKey.values()].map((runs) => {
    const count = runs[0].loose!.length;
    const stacked = Array.from({ length: count }, (_, i) => (runs.length === 1 ? runs[0].loose![i] : tf.concat(runs.map((r) => r.loose![i]), 0)));
    if (runs.length > 1) runs.forEach((r) => r.loose!.forEach((t) => t.dispose()));
    runs.forEach((r) => (r.loose = undefined));
    const R = runs.length;
    const batchSize = batchAt(runs[0].spec, runs[0].step);
    const { inputDim, outputDim, trainSet: ts, grid } = sets;
    return {
      batchSize,
      microBatches: microBatchesFor(batchSize, experiment.noise.microBatches),
      runs,
      tensors: { params: stacked.slice(0, nParams), slots: stacked.slice(nParams) },
      probeX: tileSet(sets.probeX, sets.probeSize, inputDim, R),
      probeY: tileSet(sets.probeY, sets.probeSize, outputDim, R),
      trainSetX: ts ? tileSet(ts.x, ts.size, inputDim, R) : null,
      trainSetY: ts ? tileSet(ts.y, ts.size, outputDim, R) : null,
      gridX: grid ? tileSet(grid.x, grid.size ** 2, 2, R) : null,
    };
  });
}
