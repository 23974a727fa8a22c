/**
 * The CNN (models/cnn.ts): its forward pass against an independent float64 reference (direct 3×3
 * convolution, max pooling, dense layers), its gradients against central finite differences of that
 * reference with two runs stacked on the run axis, agreement with tfjs's own conv2d, and the micro-batch
 * tiling of the noise estimator (R·k stacked runs).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { perRunLoss } from '../src/engine/loss';
import { cnn, cnnForward, cnnParamShapes, patches, type CnnShape } from '../src/engine/models/cnn';
import { trainStep } from '../src/engine/step';
import { OptimizerSpec } from '../src/spec/schema';
import { fixtureRng, loss64, randomF32, relMaxError } from './helpers/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Direct 3×3 'same' convolution + bias + relu of one image [H, W, C] with w [(dy·3+dx)·C + c, C']. */
function conv64(img: Float64Array, h: number, w: number, c: number, wt: ArrayLike<number>, b: ArrayLike<number>, out: number): Float64Array {
  const res = new Float64Array(h * w * out);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let o = 0; o < out; o++) {
        let s = b[o];
        for (let dy = 0; dy < 3; dy++)
          for (let dx = 0; dx < 3; dx++) {
            const yy = y + dy - 1;
            const xx = x + dx - 1;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
            for (let ci = 0; ci < c; ci++) s += img[(yy * w + xx) * c + ci] * wt[((dy * 3 + dx) * c + ci) * out + o];
          }
        res[(y * w + x) * out + o] = Math.max(0, s);
      }
  return res;
}

function pool64(img: Float64Array, h: number, w: number, c: number): Float64Array {
  const h2 = Math.floor(h / 2);
  const w2 = Math.floor(w / 2);
  const res = new Float64Array(h2 * w2 * c);
  for (let y = 0; y < h2; y++)
    for (let x = 0; x < w2; x++)
      for (let ci = 0; ci < c; ci++) {
        let m = -Infinity;
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) m = Math.max(m, img[((2 * y + dy) * w + 2 * x + dx) * c + ci]);
        res[(y * w2 + x) * c + ci] = m;
      }
  return res;
}

function dense64(h: ArrayLike<number>, wt: ArrayLike<number>, b: ArrayLike<number>, fanIn: number, fanOut: number, relu: boolean): Float64Array {
  return Float64Array.from({ length: fanOut }, (_, o) => {
    let s = b[o];
    for (let i = 0; i < fanIn; i++) s += h[i] * wt[i * fanOut + o];
    return relu ? Math.max(0, s) : s;
  });
}

/** Logits of one run on a batch of images [B × H·W·C]. */
function forward64(shape: CnnShape, p: ArrayLike<number>[], x: ArrayLike<number>, batch: number): Float64Array {
  const { height: H, width: W, channels: C } = shape;
  const out = new Float64Array(batch * shape.outputDim);
  for (let n = 0; n < batch; n++) {
    let h: Float64Array = Float64Array.from({ length: H * W * C }, (_, i) => x[n * H * W * C + i]);
    h = pool64(conv64(h, H, W, C, p[0], p[1], shape.conv1), H, W, shape.conv1);
    const [h1, w1] = [Math.floor(H / 2), Math.floor(W / 2)];
    h = pool64(conv64(h, h1, w1, shape.conv1, p[2], p[3], shape.conv2), h1, w1, shape.conv2);
    const flat = h.length;
    const hidden = dense64(h, p[4], p[5], flat, shape.dense, true);
    out.set(dense64(hidden, p[6], p[7], shape.dense, shape.outputDim, false), n * shape.outputDim);
  }
  return out;
}

const SHAPE: CnnShape = { height: 6, width: 5, channels: 2, outputDim: 3, conv1: 3, conv2: 2, dense: 4 };
const R = 2;
const B = 3;

function problem(seed: number, shape = SHAPE) {
  const rand = fixtureRng(seed);
  const d = shape.height * shape.width * shape.channels;
  const params = Array.from({ length: R }, () => cnnParamShapes(shape).map(([a, b], i) => (i % 2 ? randomF32(rand, a * b, 0.1, 0.6) : randomF32(rand, a * b, -0.8, 0.8))));
  // Positive biases keep the relus of this tiny net alive, so every parameter has a gradient to check.
  const x = Array.from({ length: R }, () => randomF32(rand, B * d, 0, 1));
  const y = Array.from({ length: R }, () => {
    const onehot = new Float32Array(B * shape.outputDim);
    for (let n = 0; n < B; n++) onehot[n * shape.outputDim + Math.floor(rand() * shape.outputDim)] = 1;
    return onehot;
  });
  return { shape, params, x, y, d };
}

const stack = (runs: Float32Array[], shape: number[]) => {
  const flat = new Float32Array(runs.length * runs[0].length);
  runs.forEach((a, r) => flat.set(a, r * a.length));
  return tf.tensor(flat, [runs.length, ...shape]);
};

describe('CNN', () => {
  it('forward matches a float64 direct convolution, per run on the run axis', () => {
    const p = problem(5);
    const shapes = cnnParamShapes(p.shape);
    const got = tf.tidy(() => {
      const params = shapes.map((s, i) => stack(p.params.map((rp) => rp[i]), s));
      return cnnForward(params, stack(p.x, [B, p.d]), p.shape).dataSync().slice();
    });
    for (let r = 0; r < R; r++) {
      const ref = forward64(p.shape, p.params[r], p.x[r], B);
      expect(relMaxError(got.subarray(r * ref.length, (r + 1) * ref.length), ref)).toBeLessThan(1e-5);
    }
  });

  it('im2col convolution equals tfjs conv2d with the same filters', () => {
    const rand = fixtureRng(9);
    const [n, h, w, c, o] = [2, 7, 6, 3, 4];
    const img = randomF32(rand, n * h * w * c);
    const filt = randomF32(rand, 9 * c * o);
    const [mine, theirs] = tf.tidy(() => {
      const x = tf.tensor4d(img, [n, h, w, c]);
      const a = tf.relu(tf.matMul(patches(x, 1), tf.tensor3d(filt, [1, 9 * c, o])));
      const b = tf.relu(tf.conv2d(x, tf.tensor4d(filt, [3, 3, c, o]), 1, 'same'));
      return [a.dataSync().slice(), b.dataSync().slice()];
    });
    expect(relMaxError(mine, theirs)).toBeLessThan(1e-6);
  });

  it('gradients of every parameter match float64 finite differences (two runs stacked)', () => {
    const p = problem(11);
    const shapes = cnnParamShapes(p.shape);
    const before = tf.memory().numTensors;
    const grads = tf.tidy(() => {
      const params = shapes.map((s, i) => stack(p.params.map((rp) => rp[i]), s));
      const x = stack(p.x, [B, p.d]);
      const y = stack(p.y, [B, p.shape.outputDim]);
      const { grads: g } = tf.valueAndGrads((...ps: tf.Tensor[]) => tf.sum(perRunLoss('xent', cnnForward(ps, x, p.shape), y)))(params);
      return g.map((t) => t.dataSync().slice());
    });
    expect(tf.memory().numTensors).toBe(before);
    const loss = (r: number, ps: ArrayLike<number>[]) => loss64('xent', forward64(p.shape, ps, p.x[r], B), p.y[r], B, p.shape.outputDim);
    for (let r = 0; r < R; r++) {
      const base = p.params[r].map((a) => Float64Array.from(a));
      base.forEach((tensor, i) => {
        const eps = 1e-6;
        const fd = Float64Array.from(tensor, (v, e) => {
          tensor[e] = v + eps;
          const up = loss(r, base);
          tensor[e] = v - eps;
          const down = loss(r, base);
          tensor[e] = v;
          return (up - down) / (2 * eps);
        });
        const got = grads[i].subarray(r * tensor.length, (r + 1) * tensor.length);
        expect(relMaxError(got, fd), `run ${r} param ${i}`).toBeLessThan(1e-3);
        expect(Math.max(...fd.map(Math.abs)), `run ${r} param ${i} has a gradient`).toBeGreaterThan(1e-4);
      });
    }
  });

  it('trains with micro-batch noise estimation: k tiled copies give the plain step exactly', () => {
    const p = problem(21, { ...SHAPE, height: 8, width: 8 });
    const model = cnn(p.shape);
    const shapes = model.paramShapes();
    const batch = 4;
    const rand = fixtureRng(3);
    const x = randomF32(rand, R * batch * p.d, 0, 1);
    const y = new Float32Array(R * batch * 3);
    for (let n = 0; n < R * batch; n++) y[n * 3 + (n % 3)] = 1;
    const cfg = { batchSize: batch, inputDim: p.d, outputDim: 3, model, loss: 'xent' as const, optimizer: OptimizerSpec.parse({}) };
    const run = (k: number) =>
      tf.tidy(() => {
        const params = shapes.map((s, i) => stack(p.params.map((rp) => rp[i]), s));
        const out = trainStep(cfg, { params, slots: [] }, { x, y, lr: [0.1, 0.05], stepNumbers: [1, 1], microBatches: k });
        return { params: out.params.map((t) => t.dataSync().slice()), loss: out.loss.dataSync().slice(), noise: out.noise?.spread.dataSync().slice() };
      });
    const plain = run(1);
    const split = run(2);
    plain.params.forEach((a, i) => expect(relMaxError(split.params[i], a)).toBeLessThan(1e-5));
    expect(relMaxError(split.loss, plain.loss)).toBeLessThan(1e-5);
    expect(split.noise!.every((v) => v > 0)).toBe(true);
  });
});
