import * as tf from './tf';
import type { LossKind } from './tasks';

/**
 * Per-run mean loss over the batch: outputs and targets are [R, B, K], the result is [R].
 * mse: mean over batch and outputs of (f − y)²; xent: mean over batch of −Σ_k y_k log softmax(f)_k.
 */
export function perRunLoss(kind: LossKind, outputs: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  if (kind === 'mse') return tf.mean(tf.squaredDifference(outputs, targets), [1, 2]);
  const logProbs = tf.logSoftmax(outputs);
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), 2), 1));
}
