/**
 * A small decoder-only transformer (GPT-style, pre-norm) as a pure function of explicit parameters with a
 * leading run axis, like the MLP: every parameter is [R, ·, ·] and activations are [R, B·T, d], so each
 * projection of all R runs is one batched matMul. Attention reshapes q, k, v to [R·B·H, T, d_h].
 *
 *   tokens → one-hot [R, B·T, V] · E [R, V, d] + P [T, d] (learned positions)
 *   per layer: h += W_o · attn(LN₁(h)),  h += W₂ · gelu(W₁ · LN₂(h))
 *   logits = LN_f(h) · W_out + b_out → [R, B, T·V]
 *
 * Attention is causal: position t sees positions 0..t only (an additive −1e9 mask before the softmax), so
 * the prediction at t is a function of tokens 0..t. Only ops with gradients on every tfjs backend are used
 * (matMul, reshape/transpose, softmax, mean, rsqrt, sigmoid); no addN. Every matMul's gradient uses explicit
 * transposes (models/matmul.ts: the wasm backend's transposed matMul is slow), and the embedding's one-hot
 * rows, being data, get none.
 */
import * as tf from '../tf';
import { Domain, Rng, hashKeys } from '../rng';
import type { Model } from './model';
import { dataMatMul, matMul, swapLast } from './matmul';
import { gelu } from './activations';

export interface TransformerShape {
  /** Vocabulary size V. */
  vocabulary: number;
  /** Context length T (positions per sample). */
  context: number;
  width: number;
  layers: number;
  heads: number;
}

const LAYER_PARAMS = 12;

/** One layer's parameter shapes: LN₁ gain, bias; W_qkv, b_qkv; W_o, b_o; LN₂ gain, bias; W₁, b₁; W₂, b₂. */
function layerShapes(d: number): number[][] {
  return [[1, d], [1, d], [d, 3 * d], [1, 3 * d], [d, d], [1, d], [1, d], [1, d], [d, 4 * d], [1, 4 * d], [4 * d, d], [1, d]];
}

/** Shapes of one run's parameters: E [V, d], P [T, d], the layers', LN_f gain and bias, W_out [d, V], b_out. */
export function paramShapes(s: TransformerShape): number[][] {
  const d = s.width;
  const shapes = [[s.vocabulary, d], [s.context, d]];
  for (let l = 0; l < s.layers; l++) shapes.push(...layerShapes(d));
  shapes.push([1, d], [1, d], [d, s.vocabulary], [1, s.vocabulary]);
  return shapes;
}

/**
 * One run's initial parameters from the seed alone: embeddings N(0, 0.02²), projections N(0, 1/fan-in) with
 * the two residual outputs scaled by 1/√(2·layers) (GPT-2), the output layer N(0, 0.02²), layer-norm gains
 * 1, biases 0.
 */
export function initParams(s: TransformerShape, seed: number): Float32Array[] {
  const d = s.width;
  const residual = 1 / Math.sqrt(2 * s.layers);
  const stds: (number | 'one' | 0)[] = [0.02, 0.02];
  for (let l = 0; l < s.layers; l++) {
    stds.push('one', 0, 1 / Math.sqrt(d), 0, residual / Math.sqrt(d), 0, 'one', 0, 1 / Math.sqrt(d), 0, residual / Math.sqrt(4 * d), 0);
  }
  stds.push('one', 0, 0.02, 0);
  return paramShapes(s).map(([rows, cols], i) => {
    const std = stds[i];
    const values = new Float32Array(rows * cols);
    if (std === 'one') values.fill(1);
    else if (std !== 0) {
      const rng = new Rng(hashKeys(seed, Domain.init, i));
      for (let j = 0; j < values.length; j++) values[j] = std * rng.gaussian();
    }
    return values;
  });
}

/** Layer norm over the last axis, from mean and variance (gradients on every backend). */
function layerNorm(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const centred = tf.sub(x, tf.mean(x, -1, true));
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, 1e-5))), gain), bias);
}

/** The matrix products a forward pass uses: by default those of models/matmul.ts (explicit-transpose gradients). */
export interface Products {
  matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor;
  /** x·w where x needs no gradient. */
  dataMatMul(x: tf.Tensor, w: tf.Tensor): tf.Tensor;
}

const LEAN: Products = { matMul, dataMatMul };

const masks = new Map<number, Float32Array>();

/** [T, T]: 0 where key ≤ query, −1e9 after it (the future). */
function causalMask(T: number): tf.Tensor {
  let mask = masks.get(T);
  if (!mask) {
    mask = new Float32Array(T * T);
    for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) mask[q * T + k] = -1e9;
    masks.set(T, mask);
  }
  return tf.tensor2d(mask, [T, T]);
}

/** x: [R, B, T] token ids (as floats) → logits [R, B, T·V]. */
export function forward(s: TransformerShape, params: tf.Tensor[], x: tf.Tensor, { matMul, dataMatMul }: Products = LEAN): tf.Tensor {
  const [R, B, T] = x.shape;
  const d = s.width;
  const H = s.heads;
  const dh = d / H;
  const V = s.vocabulary;
  const N = B * T;
  const [embed, position] = params;
  // One-hot rows from float ops alone: relu(1 − |id − k|) is exactly 1 at k = id and 0 elsewhere. tfjs's
  // oneHot cannot be used here: its float32 output is wrong on wasm (it writes int bits: 1 reads 1.4e-45), and
  // on WebGPU a cast from int32 to float32 keeps the int buffer, which breaks the transpose in the gradient.
  const oneHot = tf.relu(tf.sub(1, tf.abs(tf.sub(tf.reshape(x, [R, N, 1]), tf.range(0, V, 1, 'float32')))));
  let h = dataMatMul(oneHot, embed); // [R, N, d]: the one-hot rows are data
  h = tf.reshape(tf.add(tf.reshape(h, [R, B, T, d]), tf.expandDims(tf.slice(position, [0, 0, 0], [R, T, d]), 1)), [R, N, d]);
  const mask = causalMask(T);
  const toHeads = (t: tf.Tensor) => tf.reshape(tf.transpose(tf.reshape(t, [R * B, T, H, dh]), [0, 2, 1, 3]), [R * B * H, T, dh]);
  for (let l = 0; l < s.layers; l++) {
    const [g1, b1, wQkv, bQkv, wO, bO, g2, b2, w1, bias1, w2, bias2] = params.slice(2 + l * LAYER_PARAMS, 2 + (l + 1) * LAYER_PARAMS);
    const a = layerNorm(h, g1, b1);
    // Slicing the small weight is cheaper than splitting the [R, N, 3d] activations (SplitV and its gradient).
    const project = (j: number) => toHeads(tf.add(matMul(a, tf.slice(wQkv, [0, 0, j * d], [-1, -1, d])), tf.slice(bQkv, [0, 0, j * d], [-1, -1, d])));
    const [q, k, v] = [0, 1, 2].map(project);
    const scores = tf.add(tf.mul(matMul(q, swapLast(k)), 1 / Math.sqrt(dh)), mask); // [R·B·H, T, T]
    const attended = matMul(tf.softmax(scores), v); // [R·B·H, T, dh]
    const merged = tf.reshape(tf.transpose(tf.reshape(attended, [R * B, H, T, dh]), [0, 2, 1, 3]), [R, N, d]);
    h = tf.add(h, tf.add(matMul(merged, wO), bO));
    const hidden = gelu(tf.add(matMul(layerNorm(h, g2, b2), w1), bias1));
    h = tf.add(h, tf.add(matMul(hidden, w2), bias2));
  }
  const [gF, bF, wOut, bOut] = params.slice(2 + s.layers * LAYER_PARAMS);
  const logits = tf.add(matMul(layerNorm(h, gF, bF), wOut), bOut); // [R, N, V]
  return tf.reshape(logits, [R, B, T * V]);
}

export function transformer(shape: TransformerShape): Model {
  if (shape.width % shape.heads !== 0) throw new Error(`Transformer width ${shape.width} does not split into ${shape.heads} heads`);
  return {
    paramShapes: () => paramShapes(shape),
    initParams: (seed) => initParams(shape, seed),
    forward: (params, x) => forward(shape, params, x),
  };
}
