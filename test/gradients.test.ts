/**
 * Gradients of the engine's MLP + losses (tfjs, float32) against central finite differences of an
 * independent float64 JavaScript forward pass (test/helpers/reference.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { perRunLoss } from '../src/engine/loss';
import { forward, initParams, layerDims, mlp, paramShapes, type Activation, type MlpShape } from '../src/engine/models/mlp';
import { trainStep } from '../src/engine/step';
import { OptimizerSpec } from '../src/spec/schema';
import { act64, erf, fixtureRng, forward64, loss64, randomF32, relMaxError, type Layer64, type Loss } from './helpers/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const R = 2;
const B = 5;

interface Problem {
  shape: MlpShape;
  loss: Loss;
  /** params[r][i]: run r's parameter i (W0, b0, W1, b1, …), float32 values. */
  params: Float32Array[][];
  x: Float32Array[]; // per run, [B × inputDim]
  y: Float32Array[]; // per run, [B × outputDim]
}

function makeProblem(activation: Activation, loss: Loss, seed: number): Problem {
  const rand = fixtureRng(seed);
  const outputDim = loss === 'xent' ? 3 : 2;
  const shape: MlpShape = { inputDim: 3, width: 4, depth: 2, outputDim, activation };
  const params = Array.from({ length: R }, () =>
    paramShapes(shape).map(([a, b]) => randomF32(rand, a * b, -1, 1)),
  );
  const x = Array.from({ length: R }, () => randomF32(rand, B * shape.inputDim, -1.5, 1.5));
  const y = Array.from({ length: R }, () => {
    if (loss === 'mse') return randomF32(rand, B * outputDim, -1, 1);
    const onehot = new Float32Array(B * outputDim);
    for (let n = 0; n < B; n++) onehot[n * outputDim + Math.floor(rand() * outputDim)] = 1;
    return onehot;
  });
  return { shape, loss, params, x, y };
}

function layers64(shape: MlpShape, runParams: ArrayLike<number>[]): Layer64[] {
  return layerDims(shape).map(([fanIn, fanOut], l) => ({
    fanIn,
    fanOut,
    w: Float64Array.from(runParams[2 * l]),
    b: Float64Array.from(runParams[2 * l + 1]),
  }));
}

function runLoss64(p: Problem, r: number, runParams: ArrayLike<number>[]): number {
  const out = forward64(layers64(p.shape, runParams), p.x[r], B, p.shape.activation);
  return loss64(p.loss, out, p.y[r], B, p.shape.outputDim);
}

/** Central differences of run r's float64 loss with respect to every parameter element. */
function finiteDifferenceGrads(p: Problem, r: number, eps = 1e-6): Float64Array[] {
  const base = p.params[r].map((a) => Float64Array.from(a));
  return base.map((tensor) =>
    Float64Array.from(tensor, (v, e) => {
      tensor[e] = v + eps;
      const up = runLoss64(p, r, base);
      tensor[e] = v - eps;
      const down = runLoss64(p, r, base);
      tensor[e] = v;
      return (up - down) / (2 * eps);
    }),
  );
}

function stackRuns(runs: Float32Array[], cols: number): tf.Tensor3D {
  const flat = new Float32Array(runs.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of runs) {
    flat.set(a, o);
    o += a.length;
  }
  return tf.tensor3d(flat, [runs.length, runs[0].length / cols, cols]);
}

/** The engine's objective (sum of per-run mean losses) and its gradient, one array per parameter per run. */
function tfGrads(p: Problem, runs = p.params, xs = p.x, ys = p.y) {
  const shapes = paramShapes(p.shape);
  return tf.tidy(() => {
    const params = shapes.map(([, cols], i) => stackRuns(runs.map((rp) => rp[i]), cols));
    const x = stackRuns(xs, p.shape.inputDim);
    const y = stackRuns(ys, p.shape.outputDim);
    const perRun = perRunLoss(p.loss, forward(params, x, p.shape.activation), y);
    const { value, grads } = tf.valueAndGrads((...ps: tf.Tensor[]) =>
      tf.sum(perRunLoss(p.loss, forward(ps, x, p.shape.activation), y)),
    )(params);
    const n = runs.length;
    return {
      perRun: perRun.dataSync().slice(),
      total: value.dataSync()[0],
      // grads[i] is [R, ...shape]; split it into per-run flat arrays.
      grads: Array.from({ length: n }, (_, r) => grads.map((g) => g.dataSync().slice((r * g.size) / n, ((r + 1) * g.size) / n))),
    };
  });
}

describe('MLP + loss gradients match float64 finite differences', () => {
  const activations: Activation[] = ['relu', 'tanh', 'gelu'];
  const losses: Loss[] = ['mse', 'xent'];
  for (const activation of activations) {
    for (const loss of losses) {
      it(`${activation} / ${loss}`, () => {
        const p = makeProblem(activation, loss, 17 + activations.indexOf(activation) * 7 + losses.indexOf(loss));
        const before = tf.memory().numTensors;
        const result = tfGrads(p);
        expect(tf.memory().numTensors).toBe(before);

        // Forward: the per-run loss agrees with the float64 reference, and the objective is their sum.
        const ref = [0, 1].map((r) => runLoss64(p, r, p.params[r]));
        for (let r = 0; r < R; r++) expect(result.perRun[r]).toBeCloseTo(ref[r], 5);
        expect(result.total).toBeCloseTo(ref[0] + ref[1], 5);
        expect(ref[0]).not.toBeCloseTo(ref[1], 3); // the two runs are genuinely different problems

        for (let r = 0; r < R; r++) {
          const fd = finiteDifferenceGrads(p, r);
          let norm = 0;
          fd.forEach((g, i) => {
            const got = result.grads[r][i];
            expect(got.length).toBe(g.length);
            // float32 autodiff vs float64 differences: ~1e-6 relative is typical; 1e-4 leaves margin.
            expect(relMaxError(got, g), `run ${r} param ${i}`).toBeLessThan(1e-4);
            norm += g.reduce((s, v) => s + v * v, 0);
          });
          expect(Math.sqrt(norm)).toBeGreaterThan(1e-3); // a zero gradient would match trivially
        }
      });
    }
  }

  it('a wrong reference would be caught (the check has teeth)', () => {
    const p = makeProblem('tanh', 'mse', 5);
    const result = tfGrads(p);
    const wrong = { ...p, shape: { ...p.shape, activation: 'gelu' as const } };
    const fd = finiteDifferenceGrads(wrong, 0);
    const worst = Math.max(...fd.map((g, i) => relMaxError(result.grads[0][i], g)));
    expect(worst).toBeGreaterThan(1e-2);
  });
});

describe('the sum-of-losses trick keeps runs independent', () => {
  for (const loss of ['mse', 'xent'] as const) {
    it(`run 0's gradient does not depend on run 1's parameters or data (${loss})`, () => {
      const p = makeProblem('gelu', loss, 101);
      const other = makeProblem('gelu', loss, 202);
      const a = tfGrads(p);
      // Replace run 1's parameters and data entirely.
      const b = tfGrads(p, [p.params[0], other.params[1]], [p.x[0], other.x[1]], [p.y[0], other.y[1]]);
      for (let i = 0; i < a.grads[0].length; i++) expect(b.grads[0][i]).toEqual(a.grads[0][i]);
      // …while run 1's own gradient did change, so the substitution took effect.
      expect(relMaxError(b.grads[1][0], a.grads[1][0])).toBeGreaterThan(1e-3);
      // And run 0 trained alone (R = 1) gets the same gradient.
      const alone = tfGrads(p, [p.params[0]], [p.x[0]], [p.y[0]]);
      for (let i = 0; i < a.grads[0].length; i++) expect(relMaxError(alone.grads[0][i], a.grads[0][i])).toBeLessThan(1e-6);
      expect(alone.perRun[0]).toBeCloseTo(a.perRun[0], 6);
    });
  }

  it('trainStep with SGD moves each run by its own learning rate times its own gradient', () => {
    const p = makeProblem('relu', 'xent', 33);
    const shapes = paramShapes(p.shape);
    const lr = [0.1, 0.025];
    const before = tf.memory().numTensors;
    const state = {
      params: shapes.map(([, cols], i) => stackRuns(p.params.map((rp) => rp[i]), cols)),
      slots: [],
    };
    const x = new Float32Array([...p.x[0], ...p.x[1]]);
    const y = new Float32Array([...p.y[0], ...p.y[1]]);
    const cfg = {
      batchSize: B,
      inputDim: p.shape.inputDim,
      outputDim: p.shape.outputDim,
      model: mlp(p.shape),
      loss: p.loss,
      optimizer: OptimizerSpec.parse({ kind: 'sgd' }),
    };
    const next = trainStep(cfg, state, { x, y, lr, stepNumbers: [1, 1], microBatches: 1 });
    const losses = next.loss.dataSync();
    for (let r = 0; r < R; r++) {
      expect(losses[r]).toBeCloseTo(runLoss64(p, r, p.params[r]), 5);
      const fd = finiteDifferenceGrads(p, r);
      next.params.forEach((t, i) => {
        const got = t.dataSync().slice((r * t.size) / R, ((r + 1) * t.size) / R);
        const want = Float64Array.from(p.params[r][i], (v, e) => v - lr[r] * fd[i][e]);
        for (let e = 0; e < want.length; e++) expect(got[e]).toBeCloseTo(want[e], 5);
      });
    }
    tf.dispose([...state.params, ...next.params, ...next.slots, next.loss]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('forward pass and losses on hand-made cases', () => {
  it('GELU is the tanh approximation, within 1e-3 of x·Φ(x)', () => {
    const xs = Array.from({ length: 61 }, (_, i) => -3 + i * 0.1);
    const got = tf.tidy(() => {
      const x = tf.tensor3d(xs, [1, 1, xs.length]);
      // One hidden layer of identity weights exposes the activation: out = act(x·I)·I.
      const n = xs.length;
      const eye = tf.reshape(tf.eye(n), [1, n, n]);
      const zero = tf.zeros([1, 1, n]);
      return forward([eye, zero, eye, zero], x, 'gelu').dataSync().slice();
    });
    xs.forEach((x, i) => {
      expect(got[i]).toBeCloseTo(act64(x, 'gelu'), 5);
      expect(Math.abs(got[i] - 0.5 * x * (1 + erf(x / Math.SQRT2)))).toBeLessThan(1e-3);
    });
  });

  it('perRunLoss: mse is the mean over batch and outputs; xent the batch mean of −log p(label)', () => {
    const [mse, xent] = tf.tidy(() => {
      const out = tf.tensor3d([1, 2, 3, 4, 0, 0, 0, 0], [2, 2, 2]);
      const y = tf.tensor3d([1, 0, 3, 0, 0, 1, 1, 0], [2, 2, 2]);
      return [perRunLoss('mse', out, y).dataSync().slice(), perRunLoss('xent', out, y).dataSync().slice()];
    });
    // run 0: squared errors 0, 4, 0, 16 → 5; run 1: 0, 1, 1, 0 → 0.5
    expect(Array.from(mse)).toEqual([5, 0.5]);
    // run 1: logits 0,0 → −log ½ per sample; run 0: labels are soft/odd, compute directly.
    const lse = (a: number, b: number) => Math.log(Math.exp(a) + Math.exp(b));
    const run0 = (-(1 * (1 - lse(1, 2))) - 3 * (3 - lse(3, 4))) / 2;
    expect(xent[0]).toBeCloseTo(run0, 5);
    expect(xent[1]).toBeCloseTo(Math.log(2), 6);
  });

  it('initParams: deterministic from the seed, He/LeCun scale, zero biases', () => {
    const shape: MlpShape = { inputDim: 50, width: 200, depth: 2, outputDim: 3, activation: 'relu' };
    const a = initParams(shape, 7);
    expect(initParams(shape, 7)).toEqual(a);
    expect(initParams(shape, 8)[0]).not.toEqual(a[0]);
    expect(a.map((t) => t.length)).toEqual([50 * 200, 200, 200 * 200, 200, 200 * 3, 3]);
    const variance = (t: Float32Array) => t.reduce((s, v) => s + v * v, 0) / t.length;
    expect(variance(a[0])).toBeCloseTo(2 / 50, 2); // He: 2 / fanIn
    expect(variance(a[2])).toBeCloseTo(2 / 200, 3);
    expect(a[1].every((v) => v === 0)).toBe(true);
    const tanh = initParams({ ...shape, activation: 'tanh' }, 7);
    expect(variance(tanh[0])).toBeCloseTo(1 / 50, 2); // LeCun: 1 / fanIn
  });
});
