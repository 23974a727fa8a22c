/**
 * An MLP as a pure function of explicit parameters with a leading run axis: W_l is [R, in, out] and b_l is
 * [R, 1, out], so R runs of the same shape train as one batched computation (one matMul per layer for all
 * runs). Nothing here knows how many runs there are or which backend runs them.
 */
import * as tf from '../tf';
import { Domain, Rng, hashKeys } from '../rng';
import type { Model, Traced } from './model';
import { gradLeft, gradRight } from './matmul';
import { gelu, tanh } from './activations';

export type Activation = 'relu' | 'tanh' | 'gelu';

export interface MlpShape {
  inputDim: number;
  width: number;
  /** Hidden layers. */
  depth: number;
  outputDim: number;
  activation: Activation;
}

/** [fanIn, fanOut] of each layer, input to output. */
export function layerDims(shape: MlpShape): Array<[number, number]> {
  const dims: Array<[number, number]> = [];
  let fanIn = shape.inputDim;
  for (let l = 0; l < shape.depth; l++) {
    dims.push([fanIn, shape.width]);
    fanIn = shape.width;
  }
  dims.push([fanIn, shape.outputDim]);
  return dims;
}

/** Shapes of one run's parameters, in order W0, b0, W1, b1, … (without the run axis). */
export function paramShapes(shape: MlpShape): number[][] {
  return layerDims(shape).flatMap(([fanIn, fanOut]) => [
    [fanIn, fanOut],
    [1, fanOut],
  ]);
}

/**
 * One run's initial parameters, computed in JavaScript from the seed alone, so every backend and every
 * grouping of runs starts from bit-identical weights. He-normal for relu, LeCun-normal otherwise; zero biases.
 */
export function initParams(shape: MlpShape, seed: number): Float32Array[] {
  const gain = shape.activation === 'relu' ? 2 : 1;
  return layerDims(shape).flatMap(([fanIn, fanOut], layer) => {
    const rng = new Rng(hashKeys(seed, Domain.init, layer));
    const std = Math.sqrt(gain / fanIn);
    const w = Float32Array.from({ length: fanIn * fanOut }, () => std * rng.gaussian());
    return [w, new Float32Array(fanOut)];
  });
}

function activate(x: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tanh(x);
    case 'gelu':
      return gelu(x);
  }
}

/** ∂L/∂z of h = activate(z), given dh = ∂L/∂h (for relu and tanh written out; gelu by autodiff of its few ops). */
function activationGrad(z: tf.Tensor, h: tf.Tensor, dh: tf.Tensor, activation: Activation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.mul(dh, tf.step(z));
    case 'tanh':
      return tf.mul(dh, tf.sub(1, tf.square(h)));
    case 'gelu':
      return tf.grad(gelu)(z, dh);
  }
}

/**
 * x: [R, B, in] → outputs [R, B, out], and the backward pass, top to bottom:
 *   forward:  h₀ = x;  z_l = h_l·W_l + b_l;  h_{l+1} = act(z_l)  (the last layer is linear)
 *   backward: ∂W_l = h_lᵀ·∂z_l;  ∂b_l = Σ_batch ∂z_l;  ∂h_l = ∂z_l·W_lᵀ;  ∂z_{l−1} = act′(z_{l−1}) ⊙ ∂h_l
 * with no ∂h₀ (the input is data).
 */
export function trace(params: tf.Tensor[], x: tf.Tensor, activation: Activation): Traced {
  const layers = params.length / 2;
  const inputs: tf.Tensor[] = []; // h_l, the input of layer l
  const pre: tf.Tensor[] = []; // z_l of the hidden layers
  let h = x;
  for (let l = 0; l < layers; l++) {
    inputs.push(h);
    h = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
    if (l < layers - 1) {
      pre.push(h);
      h = activate(h, activation);
    }
  }
  const backward = (dOutputs: tf.Tensor): tf.Tensor[] => {
    const grads: tf.Tensor[] = new Array(params.length);
    let dz = dOutputs;
    for (let l = layers - 1; l >= 0; l--) {
      grads[2 * l] = gradRight(inputs[l], dz);
      grads[2 * l + 1] = tf.sum(dz, 1, true);
      if (l > 0) dz = activationGrad(pre[l - 1], inputs[l], gradLeft(dz, params[2 * l]), activation);
    }
    return grads;
  };
  return { outputs: h, backward };
}

/** x: [R, B, in] → outputs [R, B, out]. */
export function forward(params: tf.Tensor[], x: tf.Tensor, activation: Activation): tf.Tensor {
  return trace(params, x, activation).outputs;
}

export function mlp(shape: MlpShape): Model {
  return {
    paramShapes: () => paramShapes(shape),
    initParams: (seed) => initParams(shape, seed),
    forward: (params, x) => forward(params, x, shape.activation),
    trace: (params, x) => trace(params, x, shape.activation),
  };
}
