/**
 * What every model is to the trainer, the step and the noise estimator: a pure function of explicit
 * parameters that carry a leading run axis, so R runs of one architecture train as one batched computation.
 * A leaf (types only): the architectures implement it without importing the module that picks among them.
 */
import type * as tf from '../tf';

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
