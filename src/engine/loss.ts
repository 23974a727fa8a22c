import * as tf from './tf';
import type { LossKind } from './tasks';

/**
 * Per-run mean loss over the batch: outputs and targets are [R, B, K], the result is [R].
 * mse: mean over batch and outputs of (f − y)²; xent: mean over batch of −Σ_k y_k log softmax(f)_k.
 * With `positions` P > 1 (a sequence task) each row holds P predictions of K/P classes: the rows are
 * split into [R, B·P, K/P], so the cross-entropy is the mean over batch and positions.
 */
export function perRunLoss(kind: LossKind, outputs: tf.Tensor, targets: tf.Tensor, positions = 1): tf.Tensor {
  if (positions > 1) {
    const [R, B, K] = outputs.shape;
    outputs = tf.reshape(outputs, [R, B * positions, K / positions]);
    targets = tf.reshape(targets, [R, B * positions, K / positions]);
  }
  if (kind === 'mse') return tf.mean(tf.squaredDifference(outputs, targets), [1, 2]);
  const logProbs = tf.logSoftmax(outputs);
  return tf.neg(tf.mean(tf.sum(tf.mul(targets, logProbs), 2), 1));
}
