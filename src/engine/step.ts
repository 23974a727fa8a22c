import * as tf from './tf';
import type { OptimizerSpec } from '../spec/schema';
import { perRunLoss } from './loss';
import { forward, type Activation } from './mlp';
import { applyUpdate } from './optimizer';
import type { LossKind } from './tasks';

/** The tensors of a group of R runs, each with a leading run axis. */
export interface GroupTensors {
  params: tf.Tensor[];
  slots: tf.Tensor[];
}

export interface StepInputs {
  x: Float32Array; // [R, B, inputDim]
  y: Float32Array; // [R, B, outputDim]
  lr: number[]; // each run's learning rate at this step
  stepNumbers: number[]; // each run's 1-based step count
}

export interface StepConfig {
  batchSize: number;
  inputDim: number;
  outputDim: number;
  activation: Activation;
  loss: LossKind;
  optimizer: OptimizerSpec;
}

/**
 * One SGD step for R runs at once. The objective is the *sum* of the runs' mean losses, so the gradient
 * with respect to run r's parameters is exactly run r's own gradient. Returns the new tensors and the
 * per-run minibatch loss [R]; the caller disposes the old tensors.
 */
export function trainStep(cfg: StepConfig, state: GroupTensors, inputs: StepInputs): GroupTensors & { loss: tf.Tensor } {
  const runs = inputs.lr.length;
  return tf.tidy(() => {
    const x = tf.tensor3d(inputs.x, [runs, cfg.batchSize, cfg.inputDim]);
    const y = tf.tensor3d(inputs.y, [runs, cfg.batchSize, cfg.outputDim]);
    let loss: tf.Tensor | undefined;
    const { grads } = tf.valueAndGrads((...params: tf.Tensor[]) => {
      // keep(): the gradient's forward scope would otherwise dispose this intermediate.
      loss = tf.keep(perRunLoss(cfg.loss, forward(params, x, cfg.activation), y));
      return tf.sum(loss);
    })(state.params);
    const lr = tf.tensor3d(inputs.lr, [runs, 1, 1]);
    const next = applyUpdate(cfg.optimizer, state.params, grads, state.slots, lr, inputs.stepNumbers);
    return { ...next, loss: loss! };
  });
}

/** Per-run loss [R] on a fixed probe set already tiled to [R, P, ·]. */
export function evalLoss(cfg: StepConfig, params: tf.Tensor[], probeX: tf.Tensor, probeY: tf.Tensor): tf.Tensor {
  return tf.tidy(() => perRunLoss(cfg.loss, forward(params, probeX, cfg.activation), probeY));
}
