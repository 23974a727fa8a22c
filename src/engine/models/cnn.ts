/**
 * A small CNN with the run axis: two blocks of 3×3 convolution ('same' padding), relu and 2×2 max pooling,
 * then a dense relu layer and a linear head. tfjs's conv2d has no per-run filters, and tfjs-wasm cannot
 * differentiate conv2d with respect to its filters (no Conv2DBackpropFilter kernel), so a convolution is
 * im2col + batched matMul: patches [R, B·H·W, 9·C_in] times each run's filters [R, 9·C_in, C_out].
 * The patches come from a conv2d with fixed identity filters (only its input gradient is needed, which
 * every backend has); that measured faster on wasm and cpu than nine pad/slice views concatenated.
 * Pooling is tf.maximum of the two halves of each pair (tf.max's broadcast-equal gradient was the slowest
 * op on wasm) and folds the run axis into the batch. A filter row is indexed (dy·3 + dx)·C_in + c.
 */
import * as tf from '../tf';
import { Domain, Rng, hashKeys } from '../rng';
import type { Model } from '.';

export interface CnnShape {
  width: number;
  height: number;
  channels: number;
  outputDim: number;
  conv1: number;
  conv2: number;
  dense: number;
}

/** Spatial size after the two pooling layers (odd sizes drop their last row or column). */
function pooledSize(shape: CnnShape): [number, number] {
  const h = Math.floor(Math.floor(shape.height / 2) / 2);
  const w = Math.floor(Math.floor(shape.width / 2) / 2);
  return [h, w];
}

/** [fanIn, fanOut] of the four weight matrices: conv1, conv2, dense, head. */
export function cnnLayerDims(shape: CnnShape): Array<[number, number]> {
  const [h, w] = pooledSize(shape);
  return [
    [9 * shape.channels, shape.conv1],
    [9 * shape.conv1, shape.conv2],
    [h * w * shape.conv2, shape.dense],
    [shape.dense, shape.outputDim],
  ];
}

export function cnnParamShapes(shape: CnnShape): number[][] {
  return cnnLayerDims(shape).flatMap(([fanIn, fanOut]) => [
    [fanIn, fanOut],
    [1, fanOut],
  ]);
}

/** He-normal weights (LeCun-normal for the linear head), zero biases; from the seed alone. */
export function cnnInitParams(shape: CnnShape, seed: number): Float32Array[] {
  const dims = cnnLayerDims(shape);
  return dims.flatMap(([fanIn, fanOut], layer) => {
    const rng = new Rng(hashKeys(seed, Domain.init, layer));
    const std = Math.sqrt((layer < dims.length - 1 ? 2 : 1) / fanIn);
    return [Float32Array.from({ length: fanIn * fanOut }, () => std * rng.gaussian()), new Float32Array(fanOut)];
  });
}

/** Identity filters [3, 3, C, 9C] that copy each 3×3 neighbourhood into the channels: im2col as a convolution. */
const patchFilters = new Map<number, Float32Array>();
function patchFilter(c: number): tf.Tensor4D {
  let values = patchFilters.get(c);
  if (!values) {
    values = new Float32Array(9 * c * 9 * c);
    for (let k = 0; k < 9; k++) for (let ci = 0; ci < c; ci++) values[(k * c + ci) * 9 * c + k * c + ci] = 1;
    patchFilters.set(c, values);
  }
  return tf.tensor4d(values, [3, 3, c, 9 * c]);
}

/** [R, M, K] × [R, K, N]; with one run as a 2-D matMul, which tfjs-wasm runs much faster than a batched one. */
function runMatMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (a.shape[0] !== 1) return tf.matMul(a, b);
  return tf.expandDims(tf.matMul(tf.squeeze(a, [0]) as tf.Tensor2D, tf.squeeze(b, [0]) as tf.Tensor2D), 0);
}

/**
 * 3×3 'same' convolution of h [R·B, H, W, C] with per-run filters w [R, 9C, C'] and bias b [R, 1, C'],
 * then relu: returns [R·B, H, W, C'].
 */
export function conv3x3Relu(h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, runs: number): tf.Tensor4D {
  const [n, height, width, c] = h.shape;
  const patches = tf.reshape(tf.conv2d(h, patchFilter(c), 1, 'same'), [runs, (n / runs) * height * width, 9 * c]);
  const out = tf.relu(tf.add(runMatMul(patches, w), b));
  return tf.reshape(out, [n, height, width, w.shape[2]!]);
}

/** 2×2 max pooling of [N, H, W, C] (stride 2; an odd last row or column is dropped), by reshapes of rank ≤ 3. */
export function maxPool2(h: tf.Tensor4D): tf.Tensor4D {
  const [n, height, width, c] = h.shape;
  const h2 = Math.floor(height / 2);
  const w2 = Math.floor(width / 2);
  const even = height % 2 || width % 2 ? tf.slice(h, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]) : h;
  // max of the two halves with tf.maximum (same shapes, no broadcast: its gradient is cheap on wasm,
  // where tf.max's gradient, a broadcast tf.equal, cost more than the convolutions).
  const pairMax = (t: tf.Tensor, rows: number, cols: number) => {
    // Pair axis first, so each half is one contiguous block (tfjs-cpu slices those fast, others element by element).
    const pairs = tf.transpose(tf.reshape(t, [rows, 2, cols]), [1, 0, 2]);
    return tf.maximum(tf.slice(pairs, [0, 0, 0], [1, rows, cols]), tf.slice(pairs, [1, 0, 0], [1, rows, cols]));
  };
  const rows = pairMax(even, n * h2, 2 * w2 * c); // [1, N·H/2, W·C]
  const cols = pairMax(rows, n * h2 * w2, c); // [1, N·H/2·W/2, C]
  return tf.reshape(cols, [n, h2, w2, c]);
}

/** x: [R, B, H·W·C] → logits [R, B, outputDim]. */
export function cnnForward(params: tf.Tensor[], x: tf.Tensor, shape: CnnShape): tf.Tensor {
  const [runs, batch] = x.shape;
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  let h = tf.reshape(x, [runs * batch, shape.height, shape.width, shape.channels]) as tf.Tensor4D;
  h = maxPool2(conv3x3Relu(h, w1, b1, runs));
  h = maxPool2(conv3x3Relu(h, w2, b2, runs));
  const flat = tf.reshape(h, [runs, batch, -1]);
  const hidden = tf.relu(tf.add(tf.matMul(flat, w3), b3));
  return tf.add(tf.matMul(hidden, w4), b4);
}

export function cnn(shape: CnnShape): Model {
  return {
    paramShapes: () => cnnParamShapes(shape),
    initParams: (seed) => cnnInitParams(shape, seed),
    forward: (params, x) => cnnForward(params, x, shape),
  };
}
