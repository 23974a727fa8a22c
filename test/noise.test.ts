/**
 * The gradient-noise estimator, end to end through trainStep, on linear regression with Gaussian inputs
 * where tr(Σ) and |G|² are known in closed form.
 *
 * Model f(x) = w·x + c, data y = w*·x + σε with x ~ N(0, I_d), loss (f − y)². At w = w* + r, c = 0:
 *   per-example gradient  g_w = 2(r·x − σε)x,  g_c = 2(r·x − σε)
 *   G = (2r, 0)  ⇒  |G|² = 4|r|²
 *   E|g_w|² = 4((d + 2)|r|² + dσ²)  (Isserlis),  E g_c² = 4(|r|² + σ²)
 *   tr Σ = E|g|² − |G|² = 4((d + 2)|r|² + (d + 1)σ²)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { NoiseScaleTracker, fieller, noiseFields, temperature, traceSigma, trueGradSq } from '../src/engine/noise';
import { Rng } from '../src/engine/rng';
import { trainStep } from '../src/engine/step';
import * as tf from '../src/engine/tf';
import { microBatchesFor } from '../src/engine/trainer';
import { mlp } from '../src/engine/models/mlp';
import { OptimizerSpec } from '../src/spec/schema';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const d = 4;
const sigma = 0.5;
const wStar = [0.3, -0.2, 0.5, 0.1];
const r = [1, -0.5, 0.5, 0.5]; // |r|² = 1.75
const rSq = r.reduce((s, v) => s + v * v, 0);
const exactGradSq = 4 * rSq;
const exactTrSigma = 4 * ((d + 2) * rSq + (d + 1) * sigma ** 2);

/** Averages the estimator's per-step tr(Σ) and |G|² over `steps` steps at fixed parameters (η = 0). */
function estimate(steps: number, batch: number, k: number, scale = 1) {
  const cfg = { batchSize: batch, inputDim: d, outputDim: 1, model: mlp({ inputDim: d, width: 1, depth: 0, outputDim: 1, activation: 'relu' }), loss: 'mse' as const, optimizer: OptimizerSpec.parse({}) };
  const w = tf.tensor3d(wStar.map((v, i) => v + r[i]), [1, d, 1]);
  const c = tf.zeros([1, 1, 1]);
  let trSum = 0;
  let gSum = 0;
  const rng = new Rng(7);
  for (let s = 0; s < steps; s++) {
    const x = new Float32Array(batch * d);
    const y = new Float32Array(batch);
    for (let n = 0; n < batch; n++) {
      let dot = 0;
      for (let i = 0; i < d; i++) {
        x[n * d + i] = rng.gaussian();
        dot += wStar[i] * x[n * d + i];
      }
      y[n] = dot + sigma * rng.gaussian();
    }
    const out = trainStep(cfg, { params: [w, c], slots: [] }, { x, y, lr: [0], stepNumbers: [s + 1], microBatches: k });
    const e = { meanGradSq: out.noise!.meanGradSq.dataSync()[0] * scale, spread: out.noise!.spread.dataSync()[0] * scale };
    const tr = traceSigma(e, batch / k, k);
    trSum += tr;
    gSum += trueGradSq(e, batch, tr);
    tf.dispose([...out.params, out.loss, out.noise!.meanGradSq, out.noise!.spread]);
  }
  tf.dispose([w, c]);
  return { trSigma: trSum / steps, gradSq: gSum / steps };
}

describe('gradient noise scale on linear regression', () => {
  it('recovers tr(Σ) and |G|² within sampling error', () => {
    const { trSigma, gradSq } = estimate(600, 64, 8);
    expect(Math.abs(trSigma / exactTrSigma - 1)).toBeLessThan(0.08);
    expect(Math.abs(gradSq / exactGradSq - 1)).toBeLessThan(0.1);
    // B_simple from the averages: the quantity the lab charts.
    expect(trSigma / gradSq).toBeGreaterThan((exactTrSigma / exactGradSq) * 0.85);
    expect(trSigma / gradSq).toBeLessThan((exactTrSigma / exactGradSq) * 1.15);
  });

  it('is unbiased across micro-batch sizes (k = 2 and k = 16 agree with the closed form too)', () => {
    for (const k of [2, 16]) {
      const { trSigma } = estimate(500, 64, k);
      expect(Math.abs(trSigma / exactTrSigma - 1)).toBeLessThan(0.15);
    }
  });

  it('would catch an estimator off by a factor of 2', () => {
    // Doubling the measured gradients' squared norms (as a bug in the spread or the mean would) moves
    // the estimates far outside the tolerance above.
    const { trSigma, gradSq } = estimate(300, 64, 8, 2);
    expect(Math.abs(trSigma / exactTrSigma - 1)).toBeGreaterThan(0.5);
    expect(Math.abs(gradSq / exactGradSq - 1)).toBeGreaterThan(0.5);
  });
});

describe('micro-batch gradients from the tiled step', () => {
  it('match gradients computed separately for each micro-batch of an MLP, and ḡ is what the update uses', () => {
    const R = 2;
    const B = 6;
    const k = 3;
    const b = B / k;
    const dims = [3, 5, 2];
    const rng = new Rng(3);
    const rand = (n: number) => Float32Array.from({ length: n }, () => rng.gaussian() * 0.5);
    const params = [tf.tensor3d(rand(R * 3 * 5), [R, 3, 5]), tf.tensor3d(rand(R * 5), [R, 1, 5]), tf.tensor3d(rand(R * 5 * 2), [R, 5, 2]), tf.tensor3d(rand(R * 2), [R, 1, 2])];
    const x = rand(R * B * dims[0]);
    const y = rand(R * B * dims[2]);
    const cfg = { batchSize: B, inputDim: 3, outputDim: 2, model: mlp({ inputDim: 3, width: 5, depth: 1, outputDim: 2, activation: 'tanh' }), loss: 'mse' as const, optimizer: OptimizerSpec.parse({}) };
    const lr = [0.1, 0.2];
    const out = trainStep(cfg, { params, slots: [] }, { x, y, lr, stepNumbers: [1, 1], microBatches: k });

    // Reference: per run, per micro-batch, gradient of that micro-batch's mean loss alone.
    for (let run = 0; run < R; run++) {
      const own = params.map((p) => tf.slice(p, [run], [1]));
      const micro: Float32Array[][] = [];
      for (let j = 0; j < k; j++) {
        const rows = (t: Float32Array, w: number) => t.slice((run * B + j * b) * w, (run * B + (j + 1) * b) * w);
        const xj = tf.tensor3d(rows(x, 3), [1, b, 3]);
        const yj = tf.tensor3d(rows(y, 2), [1, b, 2]);
        const g = tf.grads((...ps: tf.Tensor[]) => {
          let h = tf.add(tf.matMul(xj, ps[0]), ps[1]);
          h = tf.add(tf.matMul(tf.tanh(h), ps[2]), ps[3]);
          return tf.mean(tf.squaredDifference(h, yj));
        })(own);
        micro.push(g.map((t) => t.dataSync() as Float32Array));
      }
      const flat = (gs: Float32Array[]) => gs.flatMap((t) => [...t]);
      const ms = micro.map(flat);
      const mean = ms[0].map((_, i) => ms.reduce((s, m) => s + m[i], 0) / k);
      const meanSq = mean.reduce((s, v) => s + v * v, 0);
      const spread = ms.reduce((s, m) => s + m.reduce((t, v, i) => t + (v - mean[i]) ** 2, 0), 0);
      expect(out.noise!.meanGradSq.dataSync()[run]).toBeCloseTo(meanSq, 5);
      expect(out.noise!.spread.dataSync()[run]).toBeCloseTo(spread, 5);
      // The update used ḡ: θ' = θ − η ḡ.
      const before = flat(own.map((t) => t.dataSync() as Float32Array));
      const after = flat(out.params.map((p) => tf.slice(p, [run], [1]).dataSync() as Float32Array));
      after.forEach((v, i) => expect(v).toBeCloseTo(before[i] - lr[run] * mean[i], 5));
    }
  });

  it('picks a micro-batch count that splits the batch evenly, or none', () => {
    expect(microBatchesFor(512, 4)).toBe(4);
    expect(microBatchesFor(6, 4)).toBe(3);
    expect(microBatchesFor(7, 4)).toBe(1); // prime: no even split, no estimate
    expect(microBatchesFor(1, 4)).toBe(1);
    expect(microBatchesFor(2, 4)).toBe(2);
  });
});

describe('noise-scale tracker and temperature', () => {
  it('smooths numerator and denominator separately, which the ratio of raw estimates would not', () => {
    const t = new NoiseScaleTracker(0.5);
    expect(t.noiseScale).toBeNull();
    t.add(10, 1);
    t.add(30, 3);
    // EMA(tr) = (0.25·10 + 0.5·30)/0.75 and EMA(G²) = (0.25·1 + 0.5·3)/0.75: ratio 17.5/1.75 = 10.
    expect(t.noiseScale).toBeCloseTo(10, 12);
    const copy = t.clone();
    t.add(0, 1);
    expect(copy.noiseScale).toBeCloseTo(10, 12); // a fork's copy is independent
    const negative = new NoiseScaleTracker(0.9);
    negative.add(5, -1);
    expect(negative.noiseScale).toBeNull(); // |G|² estimate not positive: undefined, not a negative scale
  });

  it('is η/B, and η/(B(1−β)) with momentum', () => {
    expect(temperature(0.1, 32, OptimizerSpec.parse({ kind: 'sgd' }))).toBeCloseTo(0.1 / 32, 15);
    expect(temperature(0.1, 32, OptimizerSpec.parse({ kind: 'momentum', momentum: 0.9 }))).toBeCloseTo(0.1 / 32 / 0.1, 12);
    expect(temperature(0.1, 32, OptimizerSpec.parse({ kind: 'adam' }))).toBeCloseTo(0.1 / 32, 15);
  });
});

/**
 * The interval's coverage on the closed-form problem above, over many seeds. Per-example gradients are drawn
 * in JavaScript from the same model (g = 2(r·x − σε)·(x, 1), so tr Σ and |G|² are exactly the values above
 * for residual r), split into k micro-batches as the trainer splits a batch, and fed to the tracker; after
 * `steps` measurements each seed's 95 % interval either holds the true B_simple or not.
 */
function simulate(seed: number, residual: number[], steps: number, batch = 32, k = 4, smoothing = 0.9) {
  const rng = new Rng(seed);
  const tracker = new NoiseScaleTracker(smoothing);
  const dim = d + 1;
  const b = batch / k;
  const micro = new Float64Array(k * dim);
  for (let s = 0; s < steps; s++) {
    micro.fill(0);
    for (let n = 0; n < batch; n++) {
      const x = Array.from({ length: d }, () => rng.gaussian());
      const err = 2 * (x.reduce((acc, v, i) => acc + v * residual[i], 0) - sigma * rng.gaussian());
      const j = Math.floor(n / b);
      for (let i = 0; i < d; i++) micro[j * dim + i] += (err * x[i]) / b;
      micro[j * dim + d] += err / b;
    }
    let meanGradSq = 0;
    let spread = 0;
    for (let i = 0; i < dim; i++) {
      let mean = 0;
      for (let j = 0; j < k; j++) mean += micro[j * dim + i] / k;
      meanGradSq += mean * mean;
      for (let j = 0; j < k; j++) spread += (micro[j * dim + i] - mean) ** 2;
    }
    const tr = traceSigma({ meanGradSq, spread }, b, k);
    tracker.add(tr, trueGradSq({ meanGradSq, spread }, batch, tr));
  }
  return tracker.estimate;
}

describe('B_simple interval', () => {
  const exactFor = (res: number[]) => {
    const sq = res.reduce((s, v) => s + v * v, 0);
    return (4 * ((d + 2) * sq + (d + 1) * sigma ** 2)) / (4 * sq);
  };
  /** Over seeds 1…seeds: how many resolved an interval, and how many of those held `exact`. */
  const coverage = (res: number[], exact: number, seeds: number) => {
    let covered = 0;
    let resolved = 0;
    for (let seed = 1; seed <= seeds; seed++) {
      const e = simulate(seed, res, 120);
      if (!e?.resolved || e.low === null || e.high === null) continue;
      resolved++;
      if (e.low <= exact && exact <= e.high) covered++;
    }
    return { covered, resolved };
  };

  it('holds the true B_simple about 95 % of the time where |G|² is resolved (400 seeds)', () => {
    const exact = exactFor(r); // ≈ 6.7, well below B = 32
    const { covered, resolved } = coverage(r, exact, 400);
    expect(resolved).toBe(400);
    expect(covered / resolved).toBeGreaterThan(0.9);
    expect(covered / resolved).toBeLessThan(0.985);
  });

  it('says "not resolved" in most seeds once B_simple ≫ B, and still covers where it does resolve', () => {
    const small = r.map((v) => v * 0.05);
    const exact = exactFor(small); // ≈ 290 against B = 32
    const { covered, resolved } = coverage(small, exact, 200);
    expect(resolved).toBeLessThan(60); // about 6 % of seeds over 1,000 (measured)
    // Conditional on resolving, the seeds that did are those whose |G|² came out high, so B_simple low: the
    // interval covers less often (81 % over 1,000 seeds) — one more reason to show no number there.
    expect(covered).toBeGreaterThanOrEqual(Math.floor(0.6 * resolved));
  });

  it('gives no interval before enough measurements, and then no B_simple on the rows: "estimating"; marks rows unresolved', () => {
    const t = new NoiseScaleTracker(0.9);
    t.add(10, 1);
    expect(t.estimate).toEqual({ resolved: true, scale: 10, low: null, high: null });
    expect(noiseFields(t.estimate)).toEqual({ noiseEstimating: true });
    expect(noiseFields(null)).toEqual({});
    expect(noiseFields({ resolved: false })).toEqual({ noiseUnresolved: true });
  });

  it('is Fieller’s interval: bounded only when D is over z standard errors from zero, around N/D', () => {
    const e = fieller(10, 1, 0.01, 0.01, 0, 1.96);
    expect(e.resolved).toBe(true);
    if (e.resolved) {
      expect(e.scale).toBe(10);
      expect(e.low!).toBeLessThan(10);
      expect(e.high!).toBeGreaterThan(10);
      // Well resolved, Fieller agrees with the delta method: sd(N/D) ≈ sqrt(vn + R²vd)/D.
      const sd = Math.sqrt(0.01 + 100 * 0.01);
      expect(e.high! - e.low!).toBeCloseTo(2 * 1.96 * sd, 0);
    }
    expect(fieller(10, 1, 0.01, 0.3, 0, 1.96).resolved).toBe(false); // 1 / √0.3 < 1.96
    expect(fieller(10, -1, 0.01, 0.01, 0, 1.96).resolved).toBe(false);
  });
});
