/**
 * The transformer (src/engine/models/transformer.ts): forward pass and gradients against an independent
 * float64 reference (central finite differences), the causal mask (a position's output ignores later
 * tokens), the run axis (stacked runs = separate runs) and the training step with micro-batches (the
 * noise estimator's R·k stacked runs).
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
// Registers the 'wasm' backend (its binaries load from node_modules in Node), to compare it with cpu.
import '@tensorflow/tfjs-backend-wasm';
import { perRunLoss } from '../src/engine/loss';
import { forward, initParams, paramShapes, transformer, type TransformerShape } from '../src/engine/models/transformer';
import { trainStep } from '../src/engine/step';
import { OptimizerSpec } from '../src/spec/schema';
import { fixtureRng, randomF32, relMaxError } from './helpers/reference';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const gelu64 = (x: number) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));

/** Independent float64 reference: one run's logits [B, T, V] (row-major), from its parameter arrays. */
function forward64(s: TransformerShape, p: ArrayLike<number>[], tokens: ArrayLike<number>, B: number, causal = true): Float64Array {
  const { width: d, heads: H, vocabulary: V, context: T } = s;
  const dh = d / H;
  const N = B * T;
  const h = new Float64Array(N * d);
  for (let n = 0; n < N; n++) for (let j = 0; j < d; j++) h[n * d + j] = p[0][tokens[n] * d + j] + p[1][(n % T) * d + j];
  const norm = (x: Float64Array, g: ArrayLike<number>, b: ArrayLike<number>) => {
    const out = new Float64Array(x.length);
    for (let n = 0; n < N; n++) {
      let mean = 0;
      for (let j = 0; j < d; j++) mean += x[n * d + j] / d;
      let variance = 0;
      for (let j = 0; j < d; j++) variance += (x[n * d + j] - mean) ** 2 / d;
      for (let j = 0; j < d; j++) out[n * d + j] = ((x[n * d + j] - mean) / Math.sqrt(variance + 1e-5)) * g[j] + b[j];
    }
    return out;
  };
  const linear = (x: Float64Array, w: ArrayLike<number>, b: ArrayLike<number>, fin: number, fout: number) => {
    const out = new Float64Array(N * fout);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < fout; o++) {
        let acc = b[o];
        for (let i = 0; i < fin; i++) acc += x[n * fin + i] * w[i * fout + o];
        out[n * fout + o] = acc;
      }
    return out;
  };
  for (let l = 0; l < s.layers; l++) {
    const [g1, b1, wQkv, bQkv, wO, bO, g2, b2, w1, bias1, w2, bias2] = p.slice(2 + 12 * l, 14 + 12 * l);
    const qkv = linear(norm(h, g1, b1), wQkv, bQkv, d, 3 * d);
    const merged = new Float64Array(N * d);
    for (let b = 0; b < B; b++)
      for (let head = 0; head < H; head++)
        for (let t = 0; t < T; t++) {
          const q = (b * T + t) * 3 * d + head * dh;
          const scores: number[] = [];
          const last = causal ? t : T - 1;
          for (let u = 0; u <= last; u++) {
            const k = (b * T + u) * 3 * d + d + head * dh;
            let dot = 0;
            for (let j = 0; j < dh; j++) dot += qkv[q + j] * qkv[k + j];
            scores.push(dot / Math.sqrt(dh));
          }
          const max = Math.max(...scores);
          const e = scores.map((v) => Math.exp(v - max));
          const z = e.reduce((a, c) => a + c, 0);
          for (let u = 0; u <= last; u++) {
            const v = (b * T + u) * 3 * d + 2 * d + head * dh;
            for (let j = 0; j < dh; j++) merged[(b * T + t) * d + head * dh + j] += (e[u] / z) * qkv[v + j];
          }
        }
    const attn = linear(merged, wO, bO, d, d);
    for (let i = 0; i < h.length; i++) h[i] += attn[i];
    const hidden = linear(norm(h, g2, b2), w1, bias1, d, 4 * d).map(gelu64);
    const mlpOut = linear(hidden, w2, bias2, 4 * d, d);
    for (let i = 0; i < h.length; i++) h[i] += mlpOut[i];
  }
  const [gF, bF, wOut, bOut] = p.slice(2 + 12 * s.layers);
  return linear(norm(h, gF, bF), wOut, bOut, d, V);
}

/** Mean over batch and positions of −log softmax(logits)[next token]. */
function loss64(logits: Float64Array, targets: ArrayLike<number>, V: number): number {
  const rows = targets.length;
  let total = 0;
  for (let n = 0; n < rows; n++) {
    let max = -Infinity;
    for (let k = 0; k < V; k++) max = Math.max(max, logits[n * V + k]);
    let z = 0;
    for (let k = 0; k < V; k++) z += Math.exp(logits[n * V + k] - max);
    total += Math.log(z) + max - logits[n * V + targets[n]];
  }
  return total / rows;
}

const shape: TransformerShape = { vocabulary: 5, context: 4, width: 8, layers: 2, heads: 2 };
const R = 2;
const B = 2;

function problem(seed: number) {
  const rand = fixtureRng(seed);
  // Random (not initial) parameters, so layer norms, attention and residuals all carry signal.
  const params = Array.from({ length: R }, () => paramShapes(shape).map(([a, b]) => randomF32(rand, a * b, -0.8, 0.8)));
  const tokens = Array.from({ length: R }, () => Array.from({ length: B * shape.context }, () => Math.floor(rand() * shape.vocabulary)));
  const targets = Array.from({ length: R }, () => Array.from({ length: B * shape.context }, () => Math.floor(rand() * shape.vocabulary)));
  return { params, tokens, targets };
}

function oneHot(ids: number[], V: number): Float32Array {
  const out = new Float32Array(ids.length * V);
  ids.forEach((id, i) => (out[i * V + id] = 1));
  return out;
}

function stack(perRun: ArrayLike<number>[], shape3: [number, number, number]): tf.Tensor3D {
  const flat = new Float32Array(perRun.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of perRun) {
    flat.set(a, o);
    o += a.length;
  }
  return tf.tensor3d(flat, shape3);
}

function tfLossAndGrads(p: ReturnType<typeof problem>) {
  const T = shape.context;
  const V = shape.vocabulary;
  return tf.tidy(() => {
    const params = paramShapes(shape).map(([a, b], i) => stack(p.params.map((rp) => rp[i]), [R, a, b]));
    const x = stack(p.tokens.map((t) => Float32Array.from(t)), [R, B, T]);
    const y = stack(p.targets.map((t) => oneHot(t, V)), [R, B, T * V]);
    const logits = forward(shape, params, x);
    const perRun = perRunLoss('xent', logits, y, T);
    const { grads } = tf.valueAndGrads((...ps: tf.Tensor[]) => tf.sum(perRunLoss('xent', forward(shape, ps, x), y, T)))(params);
    return {
      logits: logits.dataSync().slice(),
      perRun: perRun.dataSync().slice(),
      grads: Array.from({ length: R }, (_, r) => grads.map((g) => g.dataSync().slice((r * g.size) / R, ((r + 1) * g.size) / R))),
    };
  });
}

describe('transformer forward and gradients against float64 finite differences', () => {
  it('logits and the per-run loss (mean over positions) match the float64 reference', () => {
    const p = problem(3);
    const got = tfLossAndGrads(p);
    const size = B * shape.context * shape.vocabulary;
    for (let r = 0; r < R; r++) {
      const ref = forward64(shape, p.params[r], p.tokens[r], B);
      expect(relMaxError(got.logits.slice(r * size, (r + 1) * size), ref)).toBeLessThan(1e-5);
      expect(got.perRun[r]).toBeCloseTo(loss64(ref, p.targets[r], shape.vocabulary), 5);
    }
  });

  it('every parameter gradient of each run matches central differences of that run’s float64 loss', () => {
    const p = problem(11);
    const got = tfLossAndGrads(p);
    const eps = 1e-5;
    for (let r = 0; r < R; r++) {
      const base = p.params[r].map((a) => Float64Array.from(a));
      const lossAt = () => loss64(forward64(shape, base, p.tokens[r], B), p.targets[r], shape.vocabulary);
      let norm = 0;
      base.forEach((param, i) => {
        const fd = new Float64Array(param.length);
        for (let j = 0; j < param.length; j++) {
          const v = param[j];
          param[j] = v + eps;
          const up = lossAt();
          param[j] = v - eps;
          const down = lossAt();
          param[j] = v;
          fd[j] = (up - down) / (2 * eps);
        }
        norm += fd.reduce((s, v) => s + v * v, 0);
        // float32 autodiff vs float64 differences; every block (embeddings, attention, MLP, norms) checked.
        expect(relMaxError(got.grads[r][i], fd), `run ${r} param ${i} (${paramShapes(shape)[i].join('×')})`).toBeLessThan(2e-3);
      });
      expect(Math.sqrt(norm)).toBeGreaterThan(1e-2);
    }
  });

  it('the check has teeth: a reference without the causal mask disagrees', () => {
    const p = problem(5);
    const got = tfLossAndGrads(p);
    const unmasked = forward64(shape, p.params[0], p.tokens[0], B, false);
    expect(relMaxError(got.logits.slice(0, unmasked.length), unmasked)).toBeGreaterThan(1e-2);
  });
});

describe('causal self-attention', () => {
  it('the output at position t does not depend on tokens after t (and does depend on tokens up to t)', () => {
    const s: TransformerShape = { vocabulary: 7, context: 6, width: 16, layers: 2, heads: 4 };
    const T = s.context;
    const V = s.vocabulary;
    const rand = fixtureRng(21);
    const params = paramShapes(s).map(([a, b]) => randomF32(rand, a * b, -0.8, 0.8));
    const base = Array.from({ length: T }, () => Math.floor(rand() * V));
    // Row j of the batch: the base sequence with token j changed.
    const batch = [base, ...base.map((tok, j) => base.map((t, i) => (i === j ? (tok + 1 + Math.floor(rand() * (V - 1))) % V : t)))];
    const logits = tf.tidy(() => {
      const ps = paramShapes(s).map(([a, b], i) => tf.tensor3d(params[i], [1, a, b]));
      return forward(s, ps, tf.tensor3d(Float32Array.from(batch.flat()), [1, batch.length, T])).dataSync().slice();
    });
    const at = (row: number, t: number) => logits.slice((row * T + t) * V, (row * T + t + 1) * V);
    for (let j = 0; j < T; j++) {
      for (let t = 0; t < T; t++) {
        const diff = relMaxError(at(j + 1, t), at(0, t));
        if (t < j) expect(diff, `token ${j} changed, position ${t}`).toBe(0);
        else expect(diff, `token ${j} changed, position ${t}`).toBeGreaterThan(1e-4);
      }
    }
  });
});

describe('run axis and training step', () => {
  it('runs stacked along the run axis give exactly what each run gives alone', () => {
    const p = problem(8);
    const T = shape.context;
    const together = tf.tidy(() => {
      const params = paramShapes(shape).map(([a, b], i) => stack(p.params.map((rp) => rp[i]), [R, a, b]));
      return forward(shape, params, stack(p.tokens.map((t) => Float32Array.from(t)), [R, B, T])).dataSync().slice();
    });
    const size = B * T * shape.vocabulary;
    for (let r = 0; r < R; r++) {
      const alone = tf.tidy(() => {
        const params = paramShapes(shape).map(([a, b], i) => tf.tensor3d(p.params[r][i], [1, a, b]));
        return forward(shape, params, tf.tensor3d(Float32Array.from(p.tokens[r]), [1, B, T])).dataSync().slice();
      });
      expect(relMaxError(together.slice(r * size, (r + 1) * size), alone)).toBeLessThan(1e-6);
    }
  });

  it('initial parameters depend on the seed alone; the initial loss is about log V', () => {
    const s: TransformerShape = { vocabulary: 20, context: 8, width: 32, layers: 1, heads: 4 };
    const a = initParams(s, 3);
    expect(initParams(s, 3)).toEqual(a);
    expect(initParams(s, 4)[0]).not.toEqual(a[0]);
    const model = transformer(s);
    const loss = tf.tidy(() => {
      const ps = model.paramShapes().map(([r, c], i) => tf.tensor3d(a[i], [1, r, c]));
      const ids = Float32Array.from({ length: 4 * 8 }, (_, i) => (i * 7) % 20);
      const y = oneHot(Array.from({ length: 4 * 8 }, (_, i) => (i * 3) % 20), 20);
      return perRunLoss('xent', model.forward(ps, tf.tensor3d(ids, [1, 4, 8])), tf.tensor3d(y, [1, 4, 8 * 20]), 8).dataSync()[0];
    });
    expect(Math.abs(loss - Math.log(20))).toBeLessThan(0.05);
  });

  it('trainStep with micro-batches (params tiled to R·k runs) updates exactly like the plain step', () => {
    const p = problem(9);
    const T = shape.context;
    const V = shape.vocabulary;
    const model = transformer(shape);
    const cfg = { batchSize: B, inputDim: T, outputDim: T * V, model, loss: 'xent' as const, positions: T, optimizer: OptimizerSpec.parse({ kind: 'sgd' }) };
    const run = (k: number) => {
      const state = { params: paramShapes(shape).map(([a, b], i) => stack(p.params.map((rp) => rp[i]), [R, a, b])), slots: [] };
      const x = Float32Array.from(p.tokens.flat());
      const y = stack(p.targets.map((t) => oneHot(t, V)), [R, B, T * V]);
      const yValues = Float32Array.from(y.dataSync());
      y.dispose();
      const out = trainStep(cfg, state, { x, y: yValues, lr: [0.1, 0.1], stepNumbers: [1, 1], microBatches: k });
      const result = { loss: out.loss.dataSync().slice(), params: out.params.map((t) => t.dataSync().slice()), spread: out.noise?.spread.dataSync().slice() };
      tf.dispose([...state.params, ...out.params, ...out.slots, out.loss, ...(out.noise ? [out.noise.meanGradSq, out.noise.spread] : [])]);
      return result;
    };
    const plain = run(1);
    const micro = run(2);
    expect(relMaxError(micro.loss, plain.loss)).toBeLessThan(1e-6);
    micro.params.forEach((param, i) => expect(relMaxError(param, plain.params[i])).toBeLessThan(1e-5));
    expect(micro.spread![0]).toBeGreaterThan(0);
  });
});

describe('backends agree', () => {
  it('wasm computes the same logits and gradients as cpu (a backend bug, e.g. in oneHot, would show here)', async () => {
    const p = problem(13);
    const onCpu = tfLossAndGrads(p);
    await tf.setBackend('wasm');
    try {
      const onWasm = tfLossAndGrads(p);
      expect(relMaxError(onWasm.logits, onCpu.logits)).toBeLessThan(1e-5);
      for (let r = 0; r < R; r++) onCpu.grads[r].forEach((g, i) => expect(relMaxError(onWasm.grads[r][i], g), `run ${r} param ${i}`).toBeLessThan(1e-4));
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
