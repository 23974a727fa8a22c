/**
 * applyUpdate against hand computations in float64 over a few steps, with a different learning rate (and,
 * for Adam, a different step count) per run; and the learning-rate schedule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { applyUpdate, slotsPerParam } from '../src/engine/optimizer';
import { lrFactor } from '../src/engine/schedule';
import { LrScheduleSpec, OptimizerSpec } from '../src/spec/schema';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const R = 2;
// Two parameters per run: a [2, 3] matrix and a [1, 3] bias.
const SHAPES: Array<[number, number]> = [
  [2, 3],
  [1, 3],
];
const SIZES = SHAPES.map(([a, b]) => a * b);

/** Initial parameters, one flat array per parameter holding both runs (run-major). */
const THETA0 = [
  [0.5, -1.25, 2, 0.75, -0.5, 1.5, /* run 1 */ -2, 0.25, 1, -0.75, 3, 0.125],
  [0.1, 0.2, -0.3, /* run 1 */ 1, -1, 0.5],
];
/** Gradients at steps 1..3 (fixed numbers, not computed from a loss). */
const GRADS = [
  [
    [0.3, -0.6, 1.2, 0.05, -2, 0.7, /* run 1 */ -0.4, 0.9, 0.01, 1.5, -0.2, 0.3],
    [1, -0.5, 0.25, /* run 1 */ -1, 0.75, 2],
  ],
  [
    [-0.1, 0.4, 0.8, 0.5, -1, -0.3, /* run 1 */ 0.6, -0.7, 0.2, 0.9, 0.1, -0.5],
    [0.5, 0.5, -1, /* run 1 */ 0.3, -0.2, 1],
  ],
  [
    [0.2, 0.2, -0.4, 1, 0.3, 0.6, /* run 1 */ -0.3, 0.5, -0.6, 0.4, 0.8, -0.1],
    [-0.25, 1, 0.5, /* run 1 */ 0, 0.4, -0.6],
  ],
];
/** Learning rates per step per run: runs differ, and they change between steps (as under a schedule). */
const LRS = [
  [0.1, 0.01],
  [0.05, 0.02],
  [0.2, 0.005],
];

const tensorOf = (values: number[], i: number): tf.Tensor => tf.tensor3d(values, [R, ...SHAPES[i]]);

/** Runs applyUpdate for the given steps and returns the parameters and slots after each step. */
function runEngine(spec: OptimizerSpec, stepNumbers: (s: number) => number[]) {
  let params = THETA0.map(tensorOf);
  let slots = SHAPES.flatMap((shape) => Array.from({ length: slotsPerParam(spec) }, () => tf.zeros([R, ...shape])));
  const history: { params: number[][]; slots: number[][] }[] = [];
  GRADS.forEach((g, s) => {
    const grads = g.map(tensorOf);
    const lr = tf.tensor3d(LRS[s], [R, 1, 1]);
    const next = applyUpdate(spec, params, grads, slots, lr, stepNumbers(s));
    history.push({ params: next.params.map((t) => Array.from(t.dataSync())), slots: next.slots.map((t) => Array.from(t.dataSync())) });
    tf.dispose([...params, ...slots, ...grads, lr]);
    params = next.params;
    slots = next.slots;
  });
  tf.dispose([...params, ...slots]);
  return history;
}

function tidyRun(spec: OptimizerSpec, stepNumbers: (s: number) => number[]) {
  // Intermediates of applyUpdate are owned by the caller's tidy (trainStep runs it inside one).
  let history!: ReturnType<typeof runEngine>;
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    history = runEngine(spec, stepNumbers);
  });
  expect(tf.memory().numTensors).toBe(before);
  return history;
}

/** The run index of flat element e of parameter i. */
const runOf = (i: number, e: number) => Math.floor(e / SIZES[i]);

function expectClose(got: number[], want: number[], label: string) {
  expect(got.length, label).toBe(want.length);
  got.forEach((v, e) => {
    const tol = 1e-6 * Math.max(1, Math.abs(want[e]));
    expect(Math.abs(v - want[e]), `${label}[${e}]: got ${v}, want ${want[e]}`).toBeLessThanOrEqual(tol);
  });
}

describe('applyUpdate', () => {
  it('slot counts: sgd 0, momentum 1, adam 2', () => {
    expect(slotsPerParam(OptimizerSpec.parse({ kind: 'sgd' }))).toBe(0);
    expect(slotsPerParam(OptimizerSpec.parse({ kind: 'momentum' }))).toBe(1);
    expect(slotsPerParam(OptimizerSpec.parse({ kind: 'adam' }))).toBe(2);
  });

  it('sgd: θ ← θ − η_r g, each run with its own η', () => {
    const history = tidyRun(OptimizerSpec.parse({ kind: 'sgd' }), () => [1, 1]);
    let theta = THETA0.map((t) => [...t]);
    history.forEach((h, s) => {
      theta = theta.map((t, i) => t.map((v, e) => v - LRS[s][runOf(i, e)] * GRADS[s][i][e]));
      theta.forEach((t, i) => expectClose(h.params[i], t, `step ${s + 1} param ${i}`));
      expect(h.slots).toEqual([]);
    });
    // Sanity: run 1 moved less than run 0 on the first step (η 0.01 vs 0.1) for the same |g|.
    expect(Math.abs(history[0].params[1][0] - THETA0[1][0])).toBeCloseTo(0.1 * 1, 6);
    expect(Math.abs(history[0].params[1][3] - THETA0[1][3])).toBeCloseTo(0.01 * 1, 6);
  });

  it('momentum (PyTorch): v ← μv + g, θ ← θ − η v', () => {
    const mu = 0.8;
    const history = tidyRun(OptimizerSpec.parse({ kind: 'momentum', momentum: mu }), () => [1, 1]);
    let theta = THETA0.map((t) => [...t]);
    let v = THETA0.map((t) => t.map(() => 0));
    history.forEach((h, s) => {
      v = v.map((vi, i) => vi.map((x, e) => mu * x + GRADS[s][i][e]));
      theta = theta.map((t, i) => t.map((x, e) => x - LRS[s][runOf(i, e)] * v[i][e]));
      theta.forEach((t, i) => expectClose(h.params[i], t, `step ${s + 1} param ${i}`));
      v.forEach((vi, i) => expectClose(h.slots[i], vi, `step ${s + 1} velocity ${i}`));
    });
    // The first step equals plain SGD (no dampening, η outside the buffer).
    expectClose(history[0].params[0], THETA0[0].map((x, e) => x - LRS[0][runOf(0, e)] * GRADS[0][0][e]), 'first step');
  });

  it('adam: bias correction uses each run’s own 1-based step number', () => {
    const spec = OptimizerSpec.parse({ kind: 'adam', beta1: 0.9, beta2: 0.99, epsilon: 1e-3 });
    // Run 0 starts at step 1; run 1 behaves as if it had already taken 9 steps (a restarted group member).
    const stepNumbers = (s: number) => [s + 1, s + 10];
    const history = tidyRun(spec, stepNumbers);
    let theta = THETA0.map((t) => [...t]);
    let m = THETA0.map((t) => t.map(() => 0));
    let v = THETA0.map((t) => t.map(() => 0));
    history.forEach((h, s) => {
      const steps = stepNumbers(s);
      m = m.map((mi, i) => mi.map((x, e) => 0.9 * x + 0.1 * GRADS[s][i][e]));
      v = v.map((vi, i) => vi.map((x, e) => 0.99 * x + 0.01 * GRADS[s][i][e] ** 2));
      theta = theta.map((t, i) =>
        t.map((x, e) => {
          const t1 = steps[runOf(i, e)];
          const mHat = m[i][e] / (1 - 0.9 ** t1);
          const vHat = v[i][e] / (1 - 0.99 ** t1);
          return x - (LRS[s][runOf(i, e)] * mHat) / (Math.sqrt(vHat) + 1e-3);
        }),
      );
      theta.forEach((t, i) => expectClose(h.params[i], t, `step ${s + 1} param ${i}`));
      // Slot layout: parameter p's m at 2p, v at 2p + 1.
      m.forEach((mi, i) => expectClose(h.slots[2 * i], mi, `step ${s + 1} m ${i}`));
      v.forEach((vi, i) => expectClose(h.slots[2 * i + 1], vi, `step ${s + 1} v ${i}`));
    });
  });

  it('adam: the first step moves every coordinate by ≈ η·sign(g), whatever |g|', () => {
    const spec = OptimizerSpec.parse({ kind: 'adam' }); // ε = 1e-8
    const [first] = tidyRun(spec, () => [1, 1]);
    first.params.forEach((p, i) =>
      p.forEach((x, e) => {
        const g = GRADS[0][i][e];
        const expected = THETA0[i][e] - LRS[0][runOf(i, e)] * Math.sign(g);
        if (g !== 0) expect(x).toBeCloseTo(expected, 5);
      }),
    );
  });

  it('adam: the same gradients with a wrong step number give different parameters', () => {
    const spec = OptimizerSpec.parse({ kind: 'adam', beta1: 0.9, beta2: 0.99, epsilon: 1e-3 });
    const a = tidyRun(spec, (s) => [s + 1, s + 1]);
    const b = tidyRun(spec, (s) => [s + 1, s + 10]);
    // Run 0 identical, run 1 differs: step numbers act per run.
    expect(a[2].params[1].slice(0, 3)).toEqual(b[2].params[1].slice(0, 3));
    expect(Math.abs(a[2].params[1][3] - b[2].params[1][3])).toBeGreaterThan(1e-4);
  });
});

describe('lrFactor', () => {
  it('constant is 1 everywhere', () => {
    const c = LrScheduleSpec.parse({ kind: 'constant' });
    for (const step of [0, 1, 50, 99, 100, 1000]) expect(lrFactor(c, step, 100)).toBe(1);
  });

  it('warmup-cosine: linear warmup, peak 1, cosine to the final factor at the budget end', () => {
    const s = LrScheduleSpec.parse({ kind: 'warmup-cosine', warmupSteps: 10, finalFactor: 0.1 });
    const budget = 110;
    // Warmup: (step + 1) / warmup, reaching the peak on the last warmup step.
    expect(lrFactor(s, 0, budget)).toBeCloseTo(0.1, 12);
    expect(lrFactor(s, 4, budget)).toBeCloseTo(0.5, 12);
    expect(lrFactor(s, 9, budget)).toBeCloseTo(1, 12);
    expect(lrFactor(s, 10, budget)).toBeCloseTo(1, 12);
    // Half-way through the decay: final + (1 − final)/2.
    expect(lrFactor(s, 60, budget)).toBeCloseTo(0.55, 12);
    // A quarter in: final + (1 − final)·(1 + cos(π/4))/2.
    expect(lrFactor(s, 35, budget)).toBeCloseTo(0.1 + 0.9 * 0.5 * (1 + Math.SQRT1_2), 12);
    // At the budget end (and beyond) the factor is the final factor.
    expect(lrFactor(s, budget, budget)).toBeCloseTo(0.1, 12);
    expect(lrFactor(s, budget + 50, budget)).toBeCloseTo(0.1, 12);
    // The last trained step (budget − 1) is within one step's decay of the final factor.
    expect(lrFactor(s, budget - 1, budget)).toBeGreaterThan(0.1);
    expect(lrFactor(s, budget - 1, budget)).toBeLessThan(0.1 + 0.9 * (1 - Math.cos(Math.PI / 100)));
    // Monotone: up during warmup, down after.
    const f = Array.from({ length: budget }, (_, step) => lrFactor(s, step, budget));
    for (let i = 1; i < 10; i++) expect(f[i]).toBeGreaterThan(f[i - 1]);
    for (let i = 11; i < budget; i++) expect(f[i]).toBeLessThan(f[i - 1]);
    expect(Math.min(...f.slice(10))).toBeGreaterThan(0.1); // the decay never undershoots the final factor
    expect(Math.max(...f)).toBeCloseTo(1, 12);
  });

  it('warmup-cosine with no warmup starts at the peak; final factor 0 decays to 0', () => {
    const s = LrScheduleSpec.parse({ kind: 'warmup-cosine', warmupSteps: 0, finalFactor: 0 });
    expect(lrFactor(s, 0, 50)).toBe(1);
    expect(lrFactor(s, 25, 50)).toBeCloseTo(0.5, 12);
    expect(lrFactor(s, 50, 50)).toBeCloseTo(0, 12);
    for (let step = 0; step < 50; step++) expect(lrFactor(s, step, 50)).toBeGreaterThan(0);
  });
});
