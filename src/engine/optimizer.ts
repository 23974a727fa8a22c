/**
 * SGD, SGD with (heavy-ball) momentum and Adam, written out so that each run in a group has its own
 * learning rate and its own step count, and so a test can check every update against a hand computation.
 */
import * as tf from './tf';
import type { OptimizerSpec } from '../spec/schema';

/** Optimizer state tensors kept per parameter (momentum buffer; Adam's first and second moments). */
export function slotsPerParam(spec: OptimizerSpec): number {
  return { sgd: 0, momentum: 1, adam: 2 }[spec.kind];
}

export interface UpdateResult {
  params: tf.Tensor[];
  slots: tf.Tensor[];
}

/**
 * One update. `lr` holds each run's learning rate at this step, shaped [R, 1, 1] to broadcast over every
 * parameter; `stepNumbers` holds each run's 1-based step count (for Adam's bias correction). `slots` is
 * flat: slot s of parameter p is at p * slotsPerParam + s.
 */
export function applyUpdate(
  spec: OptimizerSpec,
  params: tf.Tensor[],
  grads: tf.Tensor[],
  slots: tf.Tensor[],
  lr: tf.Tensor,
  stepNumbers: number[],
): UpdateResult {
  switch (spec.kind) {
    case 'sgd':
      return { params: params.map((p, i) => tf.sub(p, tf.mul(lr, grads[i]))), slots: [] };
    case 'momentum': {
      // PyTorch's convention: v ← μ v + g; θ ← θ − η v.
      const velocity = params.map((_, i) => tf.add(tf.mul(spec.momentum, slots[i]), grads[i]));
      return { params: params.map((p, i) => tf.sub(p, tf.mul(lr, velocity[i]))), slots: velocity };
    }
    case 'adam': {
      const { beta1, beta2, epsilon } = spec;
      const perRun = (f: (t: number) => number) =>
        tf.tensor3d(
          stepNumbers.map(f),
          [stepNumbers.length, 1, 1],
        );
      const correct1 = perRun((t) => 1 / (1 - beta1 ** t));
      const correct2 = perRun((t) => 1 / (1 - beta2 ** t));
      const next: tf.Tensor[] = [];
      const nextSlots: tf.Tensor[] = [];
      params.forEach((p, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(beta1, slots[2 * i]), tf.mul(1 - beta1, g));
        const v = tf.add(tf.mul(beta2, slots[2 * i + 1]), tf.mul(1 - beta2, tf.square(g)));
        const mHat = tf.mul(m, correct1);
        const vHat = tf.mul(v, correct2);
        next.push(tf.sub(p, tf.mul(lr, tf.div(mHat, tf.add(tf.sqrt(vHat), epsilon)))));
        nextSlots.push(m, v);
      });
      return { params: next, slots: nextSlots };
    }
  }
}
