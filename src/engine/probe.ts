/**
 * The probe set as the ladder and the compare view read it: the shape of a run's outputs, the loss of a
 * constant guess (the ladder's top), and ProbeInfo, what the UI needs to read recorded ladder outputs.
 */
import type { OutputShape } from './distance';
import type { MapGrid } from './ladder';
import type { Task } from './tasks';

/** What the UI needs to read ladder outputs: the probe examples they were recorded on, and their shape. */
export interface ProbeInfo {
  /** Inputs of the recorded probe examples ([examples × inputDim]). */
  x: Float32Array;
  inputDim: number;
  examples: number;
  shape: OutputShape;
  /** Classification: each recorded row's label (examples × positions); null for regression. */
  labels: Int32Array | null;
  /** Regression: the RMS of the targets on the recorded examples (the scale of a distance); else null. */
  targetRms: number | null;
  /** The ladder's levels, highest first. */
  levels: number[];
  /** 2-D tasks: the grid the decision maps are drawn on. */
  grid: Omit<MapGrid, 'x'> | null;
  /** Image tasks: how an input row is a picture (row-major, channels last). */
  image: { width: number; height: number; channels: number } | null;
  /** Token tasks: the character of each token id. */
  vocabulary: string | null;
}

export function outputShape(task: Task): OutputShape {
  const positions = task.positions ?? 1;
  return { loss: task.loss, classes: task.outputDim / positions, positions };
}

/** The probe loss of a constant guess: uniform over classes, or predicting 0 for regression. */
export function chanceLoss(task: Task, probeY: Float32Array): number {
  if (task.loss === 'xent') return Math.log(outputShape(task).classes);
  let sq = 0;
  for (const v of probeY) sq += v * v;
  return sq / probeY.length;
}

/** ProbeInfo for the first `keep` probe examples (those a ladder point keeps). */
export function probeInfo(task: Task, probeX: Float32Array, probeY: Float32Array, keep: number, levels: number[], grid: MapGrid | null): ProbeInfo {
  const shape = outputShape(task);
  const y = probeY.subarray(0, keep * task.outputDim);
  let labels: Int32Array | null = null;
  let targetRms: number | null = null;
  if (shape.loss === 'xent') {
    labels = new Int32Array(y.length / shape.classes);
    for (let r = 0; r < labels.length; r++) {
      for (let j = 1; j < shape.classes; j++) if (y[r * shape.classes + j] > y[r * shape.classes + labels[r]]) labels[r] = j;
    }
  } else {
    targetRms = Math.sqrt(y.reduce((acc, v) => acc + v * v, 0) / y.length);
  }
  const { inputImage, vocabulary } = task; // image and text tasks only
  return {
    x: probeX.slice(0, keep * task.inputDim),
    inputDim: task.inputDim,
    examples: keep,
    shape,
    labels,
    targetRms,
    levels: [...levels],
    grid: grid && { size: grid.size, extent: grid.extent },
    image: inputImage ?? null,
    vocabulary: vocabulary ?? null,
  };
}
