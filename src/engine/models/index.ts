/**
 * A model is a pure function of explicit parameters that carry a leading run axis, so R runs of one
 * architecture train as one batched computation. The trainer, the step and the noise estimator only see
 * this interface; each architecture lives in its own module.
 */
import type * as tf from '../tf';
import type { ModelSpec } from '../../spec/schema';
import type { Task } from '../tasks';
import { mlp } from './mlp';
import { cnn } from './cnn';
import { transformer } from './transformer';

export interface Model {
  /** Shapes of one run's parameters, without the run axis, in the order `forward` takes them. */
  paramShapes(): number[][];
  /** One run's initial parameters, computed in JavaScript from the seed alone (bit-identical on every backend). */
  initParams(seed: number): Float32Array[];
  /** x: [R, B, task.inputDim] → outputs [R, B, task.outputDim]. */
  forward(params: tf.Tensor[], x: tf.Tensor): tf.Tensor;
  /**
   * The forward pass with a hand-written backward pass, where the model has one (the step then uses it
   * instead of tfjs's autodiff: fewer ops, explicit transposes, no gradient for the input). Same outputs
   * as `forward`.
   */
  trace?(params: tf.Tensor[], x: tf.Tensor): Traced;
}

/** A forward pass that keeps what its backward pass needs. */
export interface Traced {
  outputs: tf.Tensor;
  /** ∂L/∂outputs → ∂L/∂params, in paramShapes order (the input is data: it gets no gradient). */
  backward(dOutputs: tf.Tensor): tf.Tensor[];
}

export function createModel(spec: ModelSpec, task: Pick<Task, 'inputDim' | 'outputDim' | 'inputImage'>): Model {
  switch (spec.kind) {
    case 'mlp':
      return mlp({ inputDim: task.inputDim, outputDim: task.outputDim, width: spec.width, depth: spec.depth, activation: spec.activation });
    case 'cnn':
      if (!task.inputImage) throw new Error('The CNN needs an image task (digits or shapes).');
      return cnn({ ...task.inputImage, outputDim: task.outputDim, conv1: spec.conv1, conv2: spec.conv2, dense: spec.dense });
    case 'transformer':
      // A sequence task's input is its T token ids and its output T rows of V logits.
      return transformer({ context: task.inputDim, vocabulary: task.outputDim / task.inputDim, width: spec.width, layers: spec.layers, heads: spec.heads });
  }
}
