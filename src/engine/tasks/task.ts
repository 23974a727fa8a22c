/**
 * A task is an infinite stream of labelled samples. Sample i of the stream keyed `streamKey` is a pure
 * function of (streamKey, i): that is the common-random-numbers property every comparison relies on.
 */
export type LossKind = 'mse' | 'xent';

export interface Task {
  readonly inputDim: number;
  /** Width of the model's output: classes (logits) or regression targets. */
  readonly outputDim: number;
  readonly loss: LossKind;
  /** Image tasks: how the inputDim values form a picture (row-major, channels last, values as the model sees them). */
  readonly inputImage?: { width: number; height: number; channels: number };
  /**
   * A finite data set: samples in each training stream (one pass over its training pool). Online, a run
   * stops when its next batch would need a second pass. Undefined for an infinite stream.
   */
  readonly streamSize?: number;
  /**
   * Writes samples [start, start + count) of the stream `streamKey` into `x` (count × inputDim) and `y`
   * (count × outputDim: a one-hot label for classification, the target for regression), from `offset` rows.
   */
  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset?: number): void;
  /**
   * The loss of the Bayes-optimal predictor on the given probe inputs, where the task knows it
   * (the floor a perfect model's held-out loss approaches), else null.
   */
  bayesLoss(probeX: Float32Array, count: number): number | null;
  /**
   * Predictions per sample (default 1). A sequence task predicts the next token at each of its T positions:
   * outputDim = positions × classes, and the loss is the mean over positions (see loss.ts).
   */
  readonly positions?: number;
  /** A sequence task's characters, one per token id, so examples can be shown as text. */
  readonly vocabulary?: string;
}

/** Numerically safe softmax into `out`. */
export function softmaxInto(logits: ArrayLike<number>, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) max = Math.max(max, logits[k]);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) {
    out[k] = Math.exp(logits[k] - max);
    sum += out[k];
  }
  for (let k = 0; k < logits.length; k++) out[k] /= sum;
}
