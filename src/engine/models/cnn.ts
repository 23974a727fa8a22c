/**
 * A small CNN with the run axis: two blocks of 3×3 convolution ('same' padding), relu and 2×2 max pooling,
 * then a dense relu layer and a linear head. tfjs's conv2d has no per-run filters, so a convolution is
 * im2col by slicing: the nine shifted views of the padded input are concatenated along the channels into
 * patches [R, B·H·W, 9·C_in], and one batched matMul with the filters [R, 9·C_in, C_out] convolves every
 * run with its own filters. Only pad, slice, concat, reshape, matMul, relu and max are used, so gradients
 * flow on every backend (cpu, wasm, webgl, webgpu). Pooling needs no parameters, so it folds the run axis
 * into the batch. A filter row is indexed (dy·3 + dx)·C_in + c.
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

/** Concatenates along the last axis in groups of at most 4 (many inputs at once strain WebGPU's buffer limits). */
function concatLast(parts: tf.Tensor[]): tf.Tensor {
  let level = parts;
  const axis = parts[0].rank - 1;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 4) next.push(level.length - i === 1 ? level[i] : tf.concat(level.slice(i, i + 4), axis));
    level = next;
  }
  return level[0];
}

/**
 * 3×3 'same' convolution of h [R·B, H, W, C] with per-run filters w [R, 9C, C'] and bias b [R, 1, C'],
 * then relu: returns [R·B, H, W, C'].
 */
export function conv3x3Relu(h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, runs: number): tf.Tensor4D {
  const [n, height, width, c] = h.shape;
  const padded = tf.pad(h, [
    [0, 0],
    [1, 1],
    [1, 1],
    [0, 0],
  ]);
  const views: tf.Tensor[] = [];
  for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) views.push(tf.slice(padded, [0, dy, dx, 0], [n, height, width, c]));
  const patches = tf.reshape(concatLast(views), [runs, (n / runs) * height * width, 9 * c]);
  const out = tf.relu(tf.add(tf.matMul(patches, w), b));
  return tf.reshape(out, [n, height, width, w.shape[2]!]);
}

/** 2×2 max pooling of [N, H, W, C] (stride 2; an odd last row or column is dropped), by reshapes of rank ≤ 3. */
export function maxPool2(h: tf.Tensor4D): tf.Tensor4D {
  const [n, height, width, c] = h.shape;
  const h2 = Math.floor(height / 2);
  const w2 = Math.floor(width / 2);
  const even = height % 2 || width % 2 ? tf.slice(h, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]) : h;
  const rows = tf.max(tf.reshape(even, [n * h2, 2, 2 * w2 * c]), 1); // [N·H/2, W·C]
  const cols = tf.max(tf.reshape(rows, [n * h2 * w2, 2, c]), 1); // [N·H/2·W/2, C]
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
