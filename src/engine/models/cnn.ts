/**
 * A small CNN with the run axis: two blocks of 3×3 convolution ('same' padding), relu and 2×2 max pooling,
 * then a dense relu layer and a linear head. tfjs's conv2d has no per-run filters, and tfjs-wasm cannot
 * differentiate conv2d with respect to its filters (no Conv2DBackpropFilter kernel), so a convolution is
 * im2col + batched matMul: patches [R, B·H·W, 9·C_in] times each run's filters [R, 9·C_in, C_out].
 * The patches come from a conv2d with fixed identity filters (only its input gradient is needed, which
 * every backend has); that measured faster on wasm and cpu than nine pad/slice views concatenated.
 * Pooling is tf.maximum of the two halves of each pair (tf.max's broadcast-equal gradient was the slowest
 * op on wasm) and folds the run axis into the batch. A filter row is indexed (dy·3 + dx)·C_in + c.
 * The step's backward pass is written out (cnnTrace): profiled op by op on wasm, autodiff spent most of a
 * step on col2im of the second convolution (a Conv2DBackpropInput of the 72-channel patches) and on
 * matMuls with transposed operands; by hand the input gradient is one transposed convolution with the
 * layer's own 3×3 filters, every matMul gradient uses explicit transposes, and the input gets none.
 */
import * as tf from '../tf';
import { Domain, Rng, hashKeys } from '../rng';
import type { Model, Traced } from './model';
import { gradLeft, gradRight } from './matmul';

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

/** im2col: [N, H, W, C] → patches [R, (N/R)·H·W, 9C] of every 3×3 neighbourhood ('same' padding). */
export function patches(h: tf.Tensor4D, runs: number): tf.Tensor {
  const [n, height, width, c] = h.shape;
  return tf.reshape(tf.conv2d(h, patchFilter(c), 1, 'same'), [runs, (n / runs) * height * width, 9 * c]);
}

/** ∂L/∂h of the 3×3 'same' convolution of h [N, H, W, C] with per-run filters w [R, 9C, C'], given dz [R, (N/R)·H·W, C']. */
function convInputGrad(dz: tf.Tensor, w: tf.Tensor, shape: [number, number, number, number]): tf.Tensor4D {
  const [n, height, width, c] = shape;
  const [runs, , out] = w.shape;
  const perRun = (dzr: tf.Tensor, wr: tf.Tensor) =>
    tf.conv2dTranspose(tf.reshape(dzr, [n / runs, height, width, out]) as tf.Tensor4D, tf.reshape(wr, [3, 3, c, out]) as tf.Tensor4D, [n / runs, height, width, c], 1, 'same');
  if (runs === 1) return perRun(dz, w);
  const dzs = tf.split(dz, runs, 0);
  return tf.concat(tf.split(w, runs, 0).map((wr, r) => perRun(dzs[r], wr)), 0);
}

interface Pooled {
  out: tf.Tensor4D;
  /** ∂L/∂out → ∂L/∂input: each gradient goes to the larger of its pair (the first on a tie, as tf.maximum's). */
  backward(dOut: tf.Tensor): tf.Tensor4D;
}

/**
 * 2×2 max pooling of [N, H, W, C] (stride 2; an odd last row or column is dropped), as the max of the two
 * halves of each pair of rows, then of columns: tf.maximum of same-shaped tensors (tf.max's gradient, a
 * broadcast tf.equal, cost more than the convolutions on wasm).
 */
export function maxPool2(h: tf.Tensor4D): Pooled {
  const [n, height, width, c] = h.shape;
  const h2 = Math.floor(height / 2);
  const w2 = Math.floor(width / 2);
  const even = height % 2 || width % 2 ? tf.slice(h, [0, 0, 0, 0], [n, 2 * h2, 2 * w2, c]) : h;
  const pairMax = (t: tf.Tensor, rows: number, cols: number) => {
    // Pair axis first, so each half is one contiguous block (tfjs-cpu slices those fast, others element by element).
    const pairs = tf.transpose(tf.reshape(t, [rows, 2, cols]), [1, 0, 2]);
    const [a, b] = [0, 1].map((i) => tf.slice(pairs, [i, 0, 0], [1, rows, cols]));
    const backward = (d: tf.Tensor) => {
      const da = tf.mul(d, tf.cast(tf.greaterEqual(a, b), 'float32'));
      return tf.reshape(tf.transpose(tf.concat([da, tf.sub(d, da)], 0), [1, 0, 2]), t.shape);
    };
    return { out: tf.maximum(a, b), backward };
  };
  const rows = pairMax(even, n * h2, 2 * w2 * c); // [1, N·H/2, W·C]
  const cols = pairMax(rows.out, n * h2 * w2, c); // [1, N·H/2·W/2, C]
  return {
    out: tf.reshape(cols.out, [n, h2, w2, c]),
    backward: (dOut) => {
      const dEven = rows.backward(cols.backward(tf.reshape(dOut, cols.out.shape)));
      return (even === h ? dEven : tf.pad(dEven, [[0, 0], [0, height % 2], [0, width % 2], [0, 0]])) as tf.Tensor4D;
    },
  };
}

/**
 * x: [R, B, H·W·C] → logits [R, B, outputDim], and the backward pass, top to bottom:
 *   forward:  P₁ = im2col(x);  z₁ = P₁·W₁ + b₁;  m₁ = pool(relu(z₁));  P₂ = im2col(m₁);  z₂ = P₂·W₂ + b₂;
 *             m₂ = pool(relu(z₂));  z₃ = flat(m₂)·W₃ + b₃;  logits = relu(z₃)·W₄ + b₄
 *   backward: each W gets (its input)ᵀ·∂z, each b Σ ∂z; ∂z passes down through the transposed weights,
 *             relu′ and pooling's argmax; through a convolution as one transposed convolution of ∂z₂ with
 *             W₂'s filters (cheaper than ∂P₂ = ∂z₂·W₂ᵀ and col2im); no ∂x (the input is data).
 */
export function cnnTrace(params: tf.Tensor[], x: tf.Tensor, shape: CnnShape): Traced {
  const [runs, batch] = x.shape;
  const [w1, b1, w2, b2, w3, b3, w4, b4] = params;
  const image = tf.reshape(x, [runs * batch, shape.height, shape.width, shape.channels]) as tf.Tensor4D;
  const conv = (h: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor) => {
    const p = patches(h, runs);
    const z = tf.add(tf.matMul(p, w), b); // [R, B·H·W, C']
    const [n, height, width] = h.shape;
    return { p, z, pool: maxPool2(tf.reshape(tf.relu(z), [n, height, width, w.shape[2]!]) as tf.Tensor4D) };
  };
  const c1 = conv(image, w1, b1);
  const c2 = conv(c1.pool.out, w2, b2);
  const flat = tf.reshape(c2.pool.out, [runs, batch, -1]);
  const z3 = tf.add(tf.matMul(flat, w3), b3);
  const hidden = tf.relu(z3);
  const outputs = tf.add(tf.matMul(hidden, w4), b4);
  const sumBatch = (dz: tf.Tensor) => tf.sum(dz, 1, true);
  const backward = (dy: tf.Tensor): tf.Tensor[] => {
    const dz3 = tf.mul(gradLeft(dy, w4), tf.step(z3));
    const dm2 = gradLeft(dz3, w3);
    const dz2 = tf.mul(tf.reshape(c2.pool.backward(dm2), c2.z.shape), tf.step(c2.z));
    const dm1 = convInputGrad(dz2, w2, c1.pool.out.shape);
    const dz1 = tf.mul(tf.reshape(c1.pool.backward(dm1), c1.z.shape), tf.step(c1.z));
    return [gradRight(c1.p, dz1), sumBatch(dz1), gradRight(c2.p, dz2), sumBatch(dz2), gradRight(flat, dz3), sumBatch(dz3), gradRight(hidden, dy), sumBatch(dy)];
  };
  return { outputs, backward };
}

/** x: [R, B, H·W·C] → logits [R, B, outputDim]. */
export function cnnForward(params: tf.Tensor[], x: tf.Tensor, shape: CnnShape): tf.Tensor {
  return cnnTrace(params, x, shape).outputs;
}

export function cnn(shape: CnnShape): Model {
  return {
    paramShapes: () => cnnParamShapes(shape),
    initParams: (seed) => cnnInitParams(shape, seed),
    forward: (params, x) => cnnForward(params, x, shape),
    trace: (params, x) => cnnTrace(params, x, shape),
  };
}
