/**
 * How far apart two functions are on the same inputs, from their raw outputs (SCIENCE.md, protocol 3).
 * Classifiers (logits, softmax over `classes`): total variation ½Σ|p−q| (the headline), disagreement of the
 * argmax, and symmetric KL ½(KL(p‖q) + KL(q‖p)), each averaged over rows. A language model has one row per
 * position, so its distances are over next-token distributions averaged over positions. Regression: the RMS
 * of the difference relative to the RMS of the targets.
 */
import type { LossKind } from './tasks';

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
