/**
 * Counter-based random numbers and the task streams built on them: determinism, common random numbers,
 * distributions, labels, Bayes floors.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '../src/engine/tf';
import { Domain, Rng, hashKeys, mix32 } from '../src/engine/rng';
import { createTask, type Task } from '../src/engine/tasks';
import { TeacherStudentTask } from '../src/engine/tasks/teacherStudent';
import { Toy2dTask } from '../src/engine/tasks/toy2d';
import { Trainer } from '../src/engine/trainer';
import { ExperimentSpec, TOY_DATASETS, TaskSpec } from '../src/spec/schema';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Samples [start, start + count) of a stream as fresh arrays. */
function draw(task: Task, key: number, start: number, count: number) {
  const x = new Float32Array(count * task.inputDim);
  const y = new Float32Array(count * task.outputDim);
  task.fill(key, start, count, x, y);
  return { x, y };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
function variance(a: ArrayLike<number>): number {
  const m = mean(a);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - m) ** 2;
  return s / (a.length - 1);
}

const classification = TaskSpec.parse({ kind: 'teacher-student' }); // 16-d inputs, 4 classes, scale 4
const regression = TaskSpec.parse({ kind: 'teacher-student', output: 'regression', labelNoise: 0.5 });

/** The teacher's logits for each row of x, in float64, from the task's weights (read for the test only). */
function teacherLogits(task: TeacherStudentTask, cfg: { inputDim: number; teacherWidth: number; teacherScale: number }, x: Float32Array, rows: number) {
  const { w1, w2 } = task as unknown as { w1: Float64Array; w2: Float64Array };
  const d = cfg.inputDim;
  const h = cfg.teacherWidth;
  expect(w1.length).toBe(d * h);
  const out = w2.length / h;
  const logits: number[][] = [];
  for (let n = 0; n < rows; n++) {
    const hidden = Array.from({ length: h }, (_, j) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[n * d + i] * w1[i * h + j];
      return Math.tanh(s);
    });
    logits.push(Array.from({ length: out }, (_, k) => cfg.teacherScale * hidden.reduce((s, v, j) => s + v * w2[j * out + k], 0)));
  }
  return logits;
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

describe('rng', () => {
  it('mix32 and hashKeys are deterministic 32-bit functions of all their keys', () => {
    expect(mix32(12345)).toBe(mix32(12345));
    expect(mix32(1)).not.toBe(mix32(2));
    expect(hashKeys(1, 2, 3)).toBe(hashKeys(1, 2, 3));
    const h = hashKeys(7, 3);
    expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    expect(hashKeys(1, 2)).not.toBe(hashKeys(2, 1)); // order matters
    expect(hashKeys(1)).not.toBe(hashKeys(1, 0)); // arity matters
    expect(hashKeys(5, 9)).not.toBe(hashKeys(5, 9 + 2 ** 32)); // high bits matter
    // Domains separate the streams of one seed.
    const domains = Object.values(Domain).map((d) => hashKeys(1, d));
    expect(new Set(domains).size).toBe(domains.length);
  });

  it('sample keys of one stream are distinct over 20k indices', () => {
    const keys = new Set(Array.from({ length: 20_000 }, (_, i) => hashKeys(42, i)));
    expect(keys.size).toBe(20_000);
  });

  it('same key → same sequence; different key → different sequence', () => {
    const seq = (k: number) => {
      const r = new Rng(k);
      return [r.nextUint32(), r.uniform(), r.gaussian(), r.gaussian(), r.gaussian()];
    };
    expect(seq(99)).toEqual(seq(99));
    const a = seq(99);
    const b = seq(100);
    a.forEach((v, i) => expect(v).not.toBe(b[i]));
  });

  it('uniform lies in (0, 1) with mean ½ and variance 1/12', () => {
    const r = new Rng(hashKeys(3, Domain.selfTest));
    const u = Array.from({ length: 20_000 }, () => r.uniform());
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(4.5 * Math.sqrt(1 / 12 / 20_000));
    expect(Math.abs(variance(u) - 1 / 12)).toBeLessThan(0.004);
  });

  it('gaussian moments: mean 0, variance 1, no lag-1 correlation, within sampling error (20k draws)', () => {
    const n = 20_000;
    const r = new Rng(hashKeys(11, Domain.selfTest));
    const sequential = Array.from({ length: n }, () => r.gaussian());
    // How the tasks use it: the first draw of each keyed item.
    const keyed = Array.from({ length: n }, (_, i) => new Rng(hashKeys(12, i)).gaussian());
    for (const g of [sequential, keyed]) {
      expect(Math.abs(mean(g))).toBeLessThan(4.5 / Math.sqrt(n));
      expect(Math.abs(variance(g) - 1)).toBeLessThan(4.5 * Math.sqrt(2 / n));
      const m4 = mean(g.map((v) => v ** 4));
      expect(Math.abs(m4 - 3)).toBeLessThan(4.5 * Math.sqrt(96 / n)); // kurtosis of a normal
      let c = 0;
      for (let i = 1; i < n; i++) c += g[i] * g[i - 1];
      expect(Math.abs(c / (n - 1))).toBeLessThan(4.5 / Math.sqrt(n));
      const tail = g.filter((v) => Math.abs(v) > 1.96).length / n;
      expect(Math.abs(tail - 0.05)).toBeLessThan(4.5 * Math.sqrt(0.05 * 0.95 / n));
    }
  });

  it('categorical follows the given probabilities', () => {
    const probs = [0.1, 0.6, 0.05, 0.25];
    const n = 20_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[new Rng(hashKeys(77, i)).categorical(probs)]++;
    probs.forEach((p, k) => expect(Math.abs(counts[k] / n - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / n)));
    const r = new Rng(1);
    for (let i = 0; i < 200; i++) expect(r.categorical([0, 1, 0])).toBe(1);
  });
});

describe('task streams: determinism and common random numbers', () => {
  const specs: Array<[string, TaskSpec]> = [
    ['teacher-student classification', classification],
    ['teacher-student regression', regression],
    ...TOY_DATASETS.map((d): [string, TaskSpec] => [`toy2d ${d}`, TaskSpec.parse({ kind: 'toy2d', dataset: d })]),
  ];

  for (const [name, spec] of specs) {
    it(`${name}: same keys → same samples, any batching; other keys → other samples`, () => {
      const task = createTask(spec, 5);
      const key = hashKeys(5, Domain.train, 1);
      const whole = draw(task, key, 0, 32);
      // A fresh task instance (same data seed) reproduces it.
      expect(draw(createTask(spec, 5), key, 0, 32)).toEqual(whole);
      // Batch 8 at steps 0..3 sees exactly what batch 32 sees at step 0.
      const pieces = [0, 1, 2, 3].map((s) => draw(task, key, s * 8, 8));
      expect(Float32Array.from(pieces.flatMap((p) => Array.from(p.x)))).toEqual(whole.x);
      expect(Float32Array.from(pieces.flatMap((p) => Array.from(p.y)))).toEqual(whole.y);
      // Ragged pieces and filling at an offset give the same rows and leave the other rows alone.
      const x = new Float32Array(40 * task.inputDim).fill(-7);
      const y = new Float32Array(40 * task.outputDim).fill(-7);
      task.fill(key, 0, 5, x, y, 3);
      task.fill(key, 5, 27, x, y, 8);
      expect(x.slice(3 * task.inputDim, 35 * task.inputDim)).toEqual(whole.x);
      expect(y.slice(3 * task.outputDim, 35 * task.outputDim)).toEqual(whole.y);
      expect(x.slice(0, 3 * task.inputDim).every((v) => v === -7)).toBe(true);
      expect(x.slice(35 * task.inputDim).every((v) => v === -7)).toBe(true);
      // A later sample does not depend on the earlier ones having been drawn.
      expect(draw(task, key, 31, 1).x).toEqual(whole.x.slice(31 * task.inputDim));
      // Another stream key: different inputs.
      const other = draw(task, hashKeys(5, Domain.train, 2), 0, 32);
      let same = 0;
      for (let i = 0; i < other.x.length; i++) if (other.x[i] === whole.x[i]) same++;
      expect(same).toBe(0);
      // Every sample within the stream is distinct.
      const rows = new Set(Array.from({ length: 32 }, (_, n) => whole.x.slice(n * task.inputDim, (n + 1) * task.inputDim).join(',')));
      expect(rows.size).toBe(32);
    });
  }

  it('the data seed fixes the teacher: same inputs, different labels under another data seed', () => {
    const key = hashKeys(1, Domain.train, 1);
    const a = draw(createTask(regression, 1), key, 0, 64);
    const b = draw(createTask(regression, 2), key, 0, 64);
    expect(b.x).toEqual(a.x); // inputs depend on the stream key only
    expect(mean(a.y.map((v, i) => Math.abs(v - b.y[i])))).toBeGreaterThan(0.1);
  });

  it('the trainer feeds runs from their streams by sample index: batch 8 × 4 steps = batch 32 × 1 step', async () => {
    const original = TeacherStudentTask.prototype.fill;
    const seen: Array<{ key: number; start: number; count: number; x: Float32Array }> = [];
    vi.spyOn(TeacherStudentTask.prototype, 'fill').mockImplementation(function (
      this: TeacherStudentTask,
      key: number,
      start: number,
      count: number,
      x: Float32Array,
      y: Float32Array,
      offset = 0,
    ) {
      original.call(this, key, start, count, x, y, offset);
      seen.push({ key, start, count, x: x.slice(offset * this.inputDim, (offset + count) * this.inputDim) });
    });
    const spec = ExperimentSpec.parse({
      model: { width: 8, depth: 1 },
      probeSize: 16,
      budgetSteps: 10,
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.1 },
        { id: 'b32', batchSize: 32, learningRate: 0.1 },
        { id: 'b8s2', batchSize: 8, learningRate: 0.1, seed: 2 },
      ],
    });
    const trainer = new Trainer(spec, { groupRuns: true });
    await trainer.advance(4);
    trainer.dispose();
    const d = 16;
    const probe = seen.filter((c) => c.count === 16);
    expect(probe).toHaveLength(1);
    const keyOf = (seed: number) => hashKeys(spec.dataSeed, Domain.train, seed);
    const b8 = seen.filter((c) => c.count === 8 && c.key === keyOf(1));
    const b32 = seen.filter((c) => c.count === 32 && c.key === keyOf(1));
    const b8s2 = seen.filter((c) => c.count === 8 && c.key === keyOf(2));
    expect(b8.map((c) => c.start)).toEqual([0, 8, 16, 24]);
    expect(b32.map((c) => c.start)).toEqual([0, 32, 64, 96]);
    expect(b8s2.map((c) => c.start)).toEqual([0, 8, 16, 24]);
    const first32 = Float32Array.from(b8.flatMap((c) => Array.from(c.x)));
    expect(first32).toEqual(b32[0].x);
    expect(b8s2[0].x).not.toEqual(b8[0].x);
    // The probe set is its own stream: none of its inputs appear in the training stream's first samples.
    expect(probe[0].key).not.toBe(keyOf(1));
    expect(probe[0].x.slice(0, d)).not.toEqual(b32[0].x.slice(0, d));
  });
});

describe('teacher–student labels', () => {
  it('classification: one-hot labels sampled from the teacher softmax (calibrated, not argmax)', () => {
    const n = 20_000;
    const task = createTask(classification, 3) as TeacherStudentTask;
    expect(task.loss).toBe('xent');
    expect(task.outputDim).toBe(4);
    const { x, y } = draw(task, hashKeys(3, Domain.train, 1), 0, n);
    const K = 4;
    const labels: number[] = [];
    let malformed = 0;
    for (let i = 0; i < n; i++) {
      const row = Array.from(y.slice(i * K, (i + 1) * K));
      if (row.filter((v) => v === 1).length !== 1 || row.filter((v) => v === 0).length !== K - 1) malformed++;
      labels.push(row.indexOf(1));
    }
    expect(malformed).toBe(0);
    const probs = teacherLogits(task, classification as { inputDim: number; teacherWidth: number; teacherScale: number }, x, n).map(softmax);
    // Per-class totals: observed counts vs Σ p_k(x), within 4.5 standard deviations.
    for (let k = 0; k < K; k++) {
      const observed = labels.filter((l) => l === k).length;
      const expected = probs.reduce((s, p) => s + p[k], 0);
      const sd = Math.sqrt(probs.reduce((s, p) => s + p[k] * (1 - p[k]), 0));
      expect(Math.abs(observed - expected), `class ${k}`).toBeLessThan(4.5 * sd);
    }
    // Calibration by bins of p_0: the label-0 frequency in each bin matches the bin's mean probability.
    const edges = [0, 0.1, 0.3, 0.6, 1.0001];
    for (let b = 0; b < edges.length - 1; b++) {
      const idx = probs.map((p, i) => [p[0], i] as const).filter(([p]) => p >= edges[b] && p < edges[b + 1]);
      if (idx.length < 200) continue;
      const freq = idx.filter(([, i]) => labels[i] === 0).length;
      const expected = idx.reduce((s, [p]) => s + p, 0);
      const sd = Math.sqrt(idx.reduce((s, [p]) => s + p * (1 - p), 0));
      expect(Math.abs(freq - expected), `bin ${b}`).toBeLessThan(4.5 * sd);
    }
    // The mean log-loss of the teacher on its own samples is its mean entropy (argmax labels would be lower).
    const nll = labels.map((l, i) => -Math.log(probs[i][l]));
    const entropy = probs.map((p) => -p.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0));
    expect(Math.abs(mean(nll) - mean(entropy))).toBeLessThan(4.5 * Math.sqrt(variance(nll) / n));
    const notArgmax = labels.filter((l, i) => probs[i][l] < Math.max(...probs[i])).length / n;
    expect(notArgmax).toBeGreaterThan(0.05);
  });

  it('bayesLoss equals the mean teacher entropy on the probe inputs, computed independently', () => {
    const task = createTask(classification, 8) as TeacherStudentTask;
    const { x } = draw(task, hashKeys(8, Domain.probe), 0, 500);
    const probs = teacherLogits(task, classification as { inputDim: number; teacherWidth: number; teacherScale: number }, x, 500).map(softmax);
    const entropy = mean(probs.map((p) => -p.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0)));
    const floor = task.bayesLoss(x, 500);
    expect(floor).toBeCloseTo(entropy, 10);
    expect(floor).toBeGreaterThan(0);
    expect(floor).toBeLessThan(Math.log(4));
    // A sharper teacher has a lower floor.
    const sharp = createTask({ ...classification, teacherScale: 20 } as TaskSpec, 8);
    expect(sharp.bayesLoss(x, 500)!).toBeLessThan(floor);
    // Only the first `count` rows count.
    expect(task.bayesLoss(x, 1)).toBeCloseTo(-probs[0].reduce((s, q) => s + q * Math.log(q), 0), 10);
  });

  it('regression: targets are teacher output plus N(0, σ²) noise, and the floor is σ²', () => {
    const n = 20_000;
    const sigma = 0.5;
    const task = createTask(regression, 4) as TeacherStudentTask;
    expect(task.loss).toBe('mse');
    expect(task.outputDim).toBe(1);
    const { x, y } = draw(task, hashKeys(4, Domain.train, 1), 0, n);
    const clean = teacherLogits(task, regression as { inputDim: number; teacherWidth: number; teacherScale: number }, x, n).map((l) => l[0]);
    const residual = Array.from(y, (v, i) => v - clean[i]);
    expect(Math.abs(mean(residual))).toBeLessThan(4.5 * sigma / Math.sqrt(n));
    expect(Math.abs(variance(residual) - sigma ** 2)).toBeLessThan(4.5 * sigma ** 2 * Math.sqrt(2 / n));
    expect(variance(clean)).toBeGreaterThan(0.1); // the signal is not trivial
    expect(task.bayesLoss(x, n)).toBeCloseTo(sigma ** 2, 12);
    // No noise: targets are exactly the teacher's output (up to float32 rounding).
    const quiet = createTask({ ...regression, labelNoise: 0 } as TaskSpec, 4) as TeacherStudentTask;
    const q = draw(quiet, hashKeys(4, Domain.train, 1), 0, 100);
    expect(q.x).toEqual(x.slice(0, 100 * 16));
    q.y.forEach((v, i) => expect(v).toBeCloseTo(clean[i], 5));
    expect(quiet.bayesLoss(x, 100)).toBe(0);
  });
});

describe('toy2d', () => {
  const n = 20_000;
  for (const dataset of TOY_DATASETS) {
    it(`${dataset}: balanced classes, one-hot labels, flips at the configured rate`, () => {
      const key = hashKeys(6, Domain.train, 1);
      const clean = draw(new Toy2dTask(dataset, 0), key, 0, n);
      const noisy = draw(new Toy2dTask(dataset, 0.2), key, 0, n);
      expect(noisy.x).toEqual(clean.x); // the flip draw comes after the point
      let ones = 0;
      let flips = 0;
      let malformed = 0;
      for (let i = 0; i < n; i++) {
        for (const yy of [clean.y, noisy.y]) {
          if (!((yy[2 * i] === 0 && yy[2 * i + 1] === 1) || (yy[2 * i] === 1 && yy[2 * i + 1] === 0))) malformed++;
        }
        ones += clean.y[2 * i + 1];
        if (clean.y[2 * i + 1] !== noisy.y[2 * i + 1]) flips++;
      }
      expect(malformed).toBe(0);
      expect(Math.abs(ones / n - 0.5)).toBeLessThan(4.5 * Math.sqrt(0.25 / n));
      expect(Math.abs(flips / n - 0.2)).toBeLessThan(4.5 * Math.sqrt((0.2 * 0.8) / n));
      // Points are finite and of plausible size.
      expect(clean.x.every((v) => Number.isFinite(v) && Math.abs(v) < 6)).toBe(true);
    });
  }

  it('clean labels agree with the geometry (circles: inner disc; xor: quadrant sign)', () => {
    const key = hashKeys(9, Domain.train, 1);
    const circles = draw(new Toy2dTask('circles', 0), key, 0, 2000);
    const xor = draw(new Toy2dTask('xor', 0), key, 0, 2000);
    for (let i = 0; i < 2000; i++) {
      const r = Math.hypot(circles.x[2 * i], circles.x[2 * i + 1]);
      expect(circles.y[2 * i + 1]).toBe(r < 1.1 ? 0 : 1);
      expect(xor.y[2 * i + 1]).toBe(xor.x[2 * i] * xor.x[2 * i + 1] > 0 ? 0 : 1);
      expect(Math.min(Math.abs(xor.x[2 * i]), Math.abs(xor.x[2 * i + 1]))).toBeGreaterThanOrEqual(0.1 - 1e-6);
    }
  });

  it('bayesLoss is the flip entropy where the clean classes separate, null for gaussians', () => {
    const h = (p: number) => -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
    expect(new Toy2dTask('spiral', 0.2).bayesLoss()).toBeCloseTo(h(0.2), 12);
    expect(new Toy2dTask('xor', 0.05).bayesLoss()).toBeCloseTo(h(0.05), 12);
    expect(new Toy2dTask('circles', 0).bayesLoss()).toBe(0);
    expect(new Toy2dTask('spiral', 0.5).bayesLoss()).toBeCloseTo(Math.log(2), 12);
    expect(new Toy2dTask('gaussians', 0.1).bayesLoss()).toBeNull();
  });

  it('createTask builds the configured toy set', () => {
    const task = createTask(TaskSpec.parse({ kind: 'toy2d', dataset: 'xor', labelNoise: 0 }), 1);
    expect(task).toBeInstanceOf(Toy2dTask);
    expect([task.inputDim, task.outputDim, task.loss]).toEqual([2, 2, 'xent']);
    const { x, y } = draw(task, 123, 0, 50);
    for (let i = 0; i < 50; i++) expect(y[2 * i + 1]).toBe(x[2 * i] * x[2 * i + 1] > 0 ? 0 : 1);
  });
});
