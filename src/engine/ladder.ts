/**
 * The loss ladder (SCIENCE.md, protocol 3). Runs with different noise are compared at equal held-out loss,
 * not at equal step: so each run records, the first time its held-out loss is at or below each level of a
 * fixed geometric ladder, the step and sample count and its outputs on (a bounded prefix of) the probe set.
 * No weights are stored; the memory is levels × runs × one bounded output block.
 */
import type { ExperimentSpec } from '../spec/schema';

/** Where a run first reached a level. `outputs` are the model's raw outputs (logits, or predictions). */
export interface LadderPoint {
  level: number;
  step: number;
  samples: number;
  /** The held-out loss at that evaluation (at or below `level`). */
  evalLoss: number;
  /** [examples × outputDim] on the first `examples` probe examples. */
  outputs: Float32Array;
  /** 2-D tasks only: outputs on the decision-map grid ([gridSize² × outputDim]). */
  grid?: Float32Array;
}

/** At most this many floats of outputs per recorded point (128 KB), whatever the task's output size. */
export const MAX_OUTPUT_FLOATS = 32_768;

/** Probe examples whose outputs a ladder point keeps: all of them, or as many as fit the bound. */
export function ladderExamples(probeSize: number, outputDim: number): number {
  return Math.max(1, Math.min(probeSize, Math.floor(MAX_OUTPUT_FLOATS / outputDim)));
}

/**
 * The levels, highest first: `levels` geometric steps from top to bottom, plus every numeric comparison
 * level. `chanceLoss` is the held-out loss of a constant guess; `floor` the Bayes loss where known.
 */
export function ladderLevels(spec: Pick<ExperimentSpec, 'ladder' | 'comparisons'>, chanceLoss: number, floor: number | null): number[] {
  const top = spec.ladder.top ?? chanceLoss;
  const bottom = spec.ladder.bottom ?? (floor !== null && floor > 0 && floor < top ? floor + 0.1 * (top - floor) : top / 10);
  const n = spec.ladder.levels;
  const ratio = Math.pow(bottom / top, 1 / (n - 1));
  const levels = Array.from({ length: n }, (_, i) => (i === n - 1 ? bottom : top * ratio ** i));
  for (const c of spec.comparisons) if (typeof c.level === 'number') levels.push(c.level);
  return [...new Set(levels)].sort((a, b) => b - a);
}

/** Levels (of `levels`, highest first) newly reached at a held-out loss of `loss`: not yet in `reached`. */
export function newlyReached(levels: number[], reached: ReadonlySet<number>, loss: number): number[] {
  return levels.filter((level) => loss <= level && !reached.has(level));
}

/** Bytes held by a list of ladder points' outputs. */
export function ladderBytes(points: Iterable<LadderPoint>): number {
  let bytes = 0;
  for (const p of points) bytes += p.outputs.byteLength + (p.grid?.byteLength ?? 0);
  return bytes;
}

/** The decision-map grid of a 2-D task: `size`² points covering `extent` ([xmin, xmax, ymin, ymax]), row-major from the top. */
export interface MapGrid {
  size: number;
  extent: [number, number, number, number];
  x: Float32Array;
}

/** A grid over the probe inputs' bounding box, padded by 10%. */
export function mapGrid(probeX: Float32Array, size = 40): MapGrid {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < probeX.length; i += 2) {
    x0 = Math.min(x0, probeX[i]);
    x1 = Math.max(x1, probeX[i]);
    y0 = Math.min(y0, probeX[i + 1]);
    y1 = Math.max(y1, probeX[i + 1]);
  }
  const padX = 0.1 * (x1 - x0);
  const padY = 0.1 * (y1 - y0);
  const extent: MapGrid['extent'] = [x0 - padX, x1 + padX, y0 - padY, y1 + padY];
  const x = new Float32Array(size * size * 2);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const i = row * size + col;
      x[2 * i] = extent[0] + ((col + 0.5) / size) * (extent[1] - extent[0]);
      x[2 * i + 1] = extent[3] - ((row + 0.5) / size) * (extent[3] - extent[2]);
    }
  }
  return { size, extent, x };
}
