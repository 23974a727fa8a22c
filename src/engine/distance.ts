/**
 * How far apart two functions are on the same inputs, from their raw outputs (SCIENCE.md, protocol 3).
 * Classifiers (logits, softmax over `classes`): total variation ½Σ|p−q| (the headline), disagreement of the
 * argmax, and symmetric KL ½(KL(p‖q) + KL(q‖p)), each averaged over rows. A language model has one row per
 * position, so its distances are over next-token distributions averaged over positions. Regression: the RMS
 * of the difference relative to the RMS of the targets.
 */
import type { LossKind } from './tasks';
import { Rng, hashKeys } from './rng';

export interface OutputShape {
  loss: LossKind;
  /** Outputs per row: the classes of one prediction (outputDim / positions). */
  classes: number;
  /** Rows per example (1, or the positions of a sequence). */
  positions: number;
}

export type FunctionDistance =
  | { kind: 'classification'; tv: number; disagreement: number; kl: number; perExample: Float64Array }
  | { kind: 'regression'; relRms: number; perExample: Float64Array };

/** log softmax of row `r` of `logits` into `out`. */
function logSoftmaxRow(logits: Float32Array, r: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[r * k + j]);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(logits[r * k + j] - max);
  const logZ = max + Math.log(sum);
  for (let j = 0; j < k; j++) out[j] = logits[r * k + j] - logZ;
}

function argmax(values: Float64Array): number {
  let best = 0;
  for (let j = 1; j < values.length; j++) if (values[j] > values[best]) best = j;
  return best;
}

/**
 * The distance between outputs `a` and `b` (same shape: examples × positions × classes). `targetRms` (the
 * RMS of the regression targets on the same examples) is needed for regression only. perExample holds each
 * example's TV (classification, averaged over its positions) or RMS difference (regression).
 */
export function functionDistance(a: Float32Array, b: Float32Array, shape: OutputShape, targetRms = 1): FunctionDistance {
  if (a.length !== b.length) throw new Error(`Output sizes differ (${a.length} vs ${b.length}): these runs do not compute the same kind of function.`);
  const { classes: k, positions } = shape;
  const rows = a.length / k;
  const examples = rows / positions;
  if (!Number.isInteger(examples) || examples < 1) throw new Error(`Outputs of length ${a.length} are not whole examples of ${positions} × ${k}.`);
  const perExample = new Float64Array(examples);
  if (shape.loss === 'mse') {
    let sq = 0;
    for (let e = 0; e < examples; e++) {
      let own = 0;
      for (let j = e * positions * k; j < (e + 1) * positions * k; j++) own += (a[j] - b[j]) ** 2;
      sq += own;
      perExample[e] = Math.sqrt(own / (positions * k));
    }
    return { kind: 'regression', relRms: Math.sqrt(sq / a.length) / targetRms, perExample };
  }
  const la = new Float64Array(k);
  const lb = new Float64Array(k);
  let tv = 0;
  let disagree = 0;
  let kl = 0;
  for (let r = 0; r < rows; r++) {
    logSoftmaxRow(a, r, k, la);
    logSoftmaxRow(b, r, k, lb);
    let rowTv = 0;
    let rowKl = 0;
    for (let j = 0; j < k; j++) {
      const p = Math.exp(la[j]);
      const q = Math.exp(lb[j]);
      rowTv += Math.abs(p - q);
      rowKl += (p - q) * (la[j] - lb[j]); // p(log p − log q) + q(log q − log p)
    }
    tv += rowTv / 2;
    kl += rowKl / 2;
    if (argmax(la) !== argmax(lb)) disagree++;
    perExample[Math.floor(r / positions)] += rowTv / 2 / positions;
  }
  return { kind: 'classification', tv: tv / rows, disagreement: disagree / rows, kl: kl / rows, perExample };
}

/** The headline number of a distance: TV for classifiers, relative RMS for regression. */
export function headline(d: FunctionDistance): number {
  return d.kind === 'classification' ? d.tv : d.relRms;
}

/** Softmax probabilities of every row (for the scatter of p_A against p_B). */
export function probabilities(logits: Float32Array, k: number): Float64Array {
  const out = new Float64Array(logits.length);
  const row = new Float64Array(k);
  for (let r = 0; r < logits.length / k; r++) {
    logSoftmaxRow(logits, r, k, row);
    for (let j = 0; j < k; j++) out[r * k + j] = Math.exp(row[j]);
  }
  return out;
}

/** The headline of a distance computed from per-example values alone (a resample of the probe examples). */
function headlineOf(kind: FunctionDistance['kind'], perExample: Float64Array, idx: Uint32Array, targetRms: number): number {
  let sum = 0;
  if (kind === 'classification') {
    for (let i = 0; i < idx.length; i++) sum += perExample[idx[i]];
    return sum / idx.length;
  }
  for (let i = 0; i < idx.length; i++) sum += perExample[idx[i]] ** 2;
  return Math.sqrt(sum / idx.length) / targetRms;
}

export interface DistanceIntervals {
  /** 95 % percentile-bootstrap interval of each distance's headline, over probe examples. */
  distances: Array<[number, number]>;
  /** Of the first distance over the second, from the same resamples (paired: both on the same examples). */
  ratio: [number, number] | null;
}

/** Resamples per interval: the 2.5 % and 97.5 % percentiles then rest on 10 resamples each. */
export const BOOTSTRAP_RESAMPLES = 400;

/**
 * Bootstrap intervals over probe examples for distances measured on the same examples (a pair and its seed
 * baseline). The examples are resampled with replacement, the same resample for every distance, so the
 * ratio's interval accounts for the examples both distances share. Deterministic: the resamples are drawn
 * from a fixed key, so the page and the runner print the same interval.
 */
export function bootstrapDistances(distances: FunctionDistance[], targetRms = 1, resamples = BOOTSTRAP_RESAMPLES): DistanceIntervals {
  const n = distances[0]?.perExample.length ?? 0;
  const draws = distances.map(() => new Float64Array(resamples));
  const ratios = new Float64Array(resamples);
  const rng = new Rng(hashKeys(0xb007, n));
  const idx = new Uint32Array(n);
  for (let s = 0; s < resamples; s++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.uniform() * n);
    distances.forEach((d, j) => (draws[j][s] = headlineOf(d.kind, d.perExample, idx, targetRms)));
    if (distances.length > 1) ratios[s] = draws[0][s] / draws[1][s];
  }
  const interval = (values: Float64Array): [number, number] => {
    const sorted = values.slice().sort();
    return [sorted[Math.floor(0.025 * (resamples - 1))], sorted[Math.ceil(0.975 * (resamples - 1))]];
  };
  return { distances: draws.map(interval), ratio: distances.length > 1 ? interval(ratios) : null };
}
