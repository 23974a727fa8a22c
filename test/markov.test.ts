/**
 * The Markov source (src/engine/tasks/markov.ts): shapes and token ranges, determinism (common random
 * numbers), and its exactly computed entropy rate against the empirical entropy of long samples.
 */
import { describe, expect, it } from 'vitest';
import { MarkovTask } from '../src/engine/tasks/markov';
import { createTask } from '../src/engine/tasks';
import { hashKeys } from '../src/engine/rng';
import { ExperimentSpec } from '../src/spec/schema';

function sample(task: MarkovTask, key: number, start: number, count: number) {
  const x = new Float32Array(count * task.inputDim);
  const y = new Float32Array(count * task.outputDim);
  task.fill(key, start, count, x, y);
  return { x, y };
}

/** The token sequence of each sample: its T inputs then its last target. */
function windows(task: MarkovTask, x: Float32Array, y: Float32Array, count: number): number[][] {
  const T = task.inputDim;
  const V = task.vocabulary.length;
  return Array.from({ length: count }, (_, n) => {
    const tokens = Array.from(x.subarray(n * T, (n + 1) * T));
    const last = y.subarray(n * T * V + (T - 1) * V, n * T * V + T * V).indexOf(1);
    return [...tokens, last];
  });
}

describe('Markov source', () => {
  const cfg = { alphabet: 6, order: 2 as const, concentration: 0.5, context: 16 };

  it('writes T token ids and T next-token one-hots per sample; y is x shifted by one', () => {
    const task = new MarkovTask(cfg, 1);
    expect(task.inputDim).toBe(16);
    expect(task.outputDim).toBe(16 * 6);
    expect(task.positions).toBe(16);
    expect(task.vocabulary).toBe('abcdef');
    const { x, y } = sample(task, 5, 0, 50);
    for (let n = 0; n < 50; n++) {
      for (let t = 0; t < 16; t++) {
        const id = x[n * 16 + t];
        expect(Number.isInteger(id) && id >= 0 && id < 6).toBe(true);
        const row = y.subarray((n * 16 + t) * 6, (n * 16 + t + 1) * 6);
        expect(row.reduce((a, b) => a + b, 0)).toBe(1);
        if (t < 15) expect(row[x[n * 16 + t + 1]]).toBe(1);
      }
    }
  });

  it('sample i is a pure function of (stream key, i); the data seed draws another source', () => {
    const task = new MarkovTask(cfg, 1);
    const whole = sample(task, 9, 0, 40);
    const part = sample(task, 9, 25, 10);
    expect(part.x).toEqual(whole.x.subarray(25 * 16, 35 * 16));
    expect(part.y).toEqual(whole.y.subarray(25 * 96, 35 * 96));
    expect(sample(new MarkovTask(cfg, 1), 9, 0, 40).x).toEqual(whole.x);
    expect(sample(task, 10, 0, 40).x).not.toEqual(whole.x);
    expect(new MarkovTask(cfg, 2).transitions).not.toEqual(task.transitions);
  });

  it('rows are distributions and π is stationary (πP = π)', () => {
    for (const order of [1, 2] as const) {
      const task = new MarkovTask({ ...cfg, order }, 3);
      const V = cfg.alphabet;
      const S = V ** order;
      for (let s = 0; s < S; s++) expect(task.transitions.subarray(s * V, (s + 1) * V).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      const next = new Float64Array(S);
      for (let s = 0; s < S; s++) for (let k = 0; k < V; k++) next[order === 1 ? k : (s % V) * V + k] += task.stationary[s] * task.transitions[s * V + k];
      for (let s = 0; s < S; s++) expect(next[s]).toBeCloseTo(task.stationary[s], 10);
    }
  });

  for (const order of [1, 2] as const) {
    it(`order ${order}: the empirical entropy of long samples matches the computed entropy rate`, () => {
      const task = new MarkovTask({ alphabet: 5, order, concentration: 0.4, context: 64 }, 7);
      const V = 5;
      const count = 3000; // 3000 × 64 ≈ 190k transitions
      const { x, y } = sample(task, hashKeys(7, 1), 0, count);
      const seqs = windows(task, x, y, count);
      // (1) Plug-in estimate from transition counts: Σ_s π̂_s H(P̂_s), over positions that see a full context.
      const S = V ** order;
      const counts = new Float64Array(S * V);
      const stateOf = (w: number[], t: number) => (order === 1 ? w[t] : w[t - 1] * V + w[t]);
      for (const w of seqs) for (let t = order - 1; t < w.length - 1; t++) counts[stateOf(w, t) * V + w[t + 1]]++;
      const total = counts.reduce((a, b) => a + b, 0);
      let plugIn = 0;
      for (let s = 0; s < S; s++) {
        const row = counts.subarray(s * V, (s + 1) * V);
        const n = row.reduce((a, b) => a + b, 0);
        for (const c of row) if (c > 0) plugIn -= (c / total) * Math.log(c / n);
      }
      // (2) The true model's mean log-loss on the samples (an unbiased estimate of the rate).
      let nll = 0;
      let m = 0;
      for (const w of seqs)
        for (let t = order - 1; t < w.length - 1; t++) {
          nll -= Math.log(task.transitions[stateOf(w, t) * V + w[t + 1]]);
          m++;
        }
      nll /= m;
      expect(task.entropyRate).toBeGreaterThan(0.3);
      expect(task.entropyRate).toBeLessThan(Math.log(V));
      // Windows overlap nothing and start from π, so both estimates are within sampling error (~0.01 nats).
      expect(Math.abs(nll - task.entropyRate)).toBeLessThan(0.02);
      expect(Math.abs(plugIn - task.entropyRate)).toBeLessThan(0.02);
      // The window's first letter is drawn from the stationary distribution.
      const first = new Float64Array(V);
      for (const w of seqs) first[w[0]] += 1 / count;
      const marginal = new Float64Array(V);
      for (let s = 0; s < S; s++) marginal[Math.floor(s / V ** (order - 1))] += task.stationary[s];
      for (let k = 0; k < V; k++) expect(Math.abs(first[k] - marginal[k])).toBeLessThan(0.04);
    });
  }

  it('bayesLoss is the expected per-position loss of the true source (the chart floor)', () => {
    const task = new MarkovTask({ alphabet: 4, order: 2, concentration: 0.3, context: 8 }, 2);
    const count = 20000;
    const { x, y } = sample(task, 77, 0, count);
    const seqs = windows(task, x, y, count);
    // Mean over positions of −log p(next | what the window shows): position 0 knows one letter only.
    const V = 4;
    const pFirst = new Float64Array(V * V); // P(x1 | x0) under stationarity
    const marginal = new Float64Array(V);
    for (let s = 0; s < V * V; s++) {
      pFirst[s] = task.stationary[s];
      marginal[Math.floor(s / V)] += task.stationary[s];
    }
    let nll = 0;
    for (const w of seqs) {
      nll -= Math.log(pFirst[w[0] * V + w[1]] / marginal[w[0]]);
      for (let t = 1; t < 8; t++) nll -= Math.log(task.transitions[(w[t - 1] * V + w[t]) * V + w[t + 1]]);
    }
    nll /= count * 8;
    expect(Math.abs(nll - task.bayesLoss())).toBeLessThan(0.02);
    expect(task.bayesLoss()).toBeGreaterThanOrEqual(task.entropyRate);
    const order1 = new MarkovTask({ alphabet: 4, order: 1, concentration: 0.3, context: 8 }, 2);
    expect(order1.bayesLoss()).toBe(order1.entropyRate);
  });

  it('is created from a spec; smaller α gives a lower entropy rate', () => {
    const spec = ExperimentSpec.parse({ task: { kind: 'markov' }, model: { kind: 'transformer' } });
    const task = createTask(spec.task, spec.dataSeed) as MarkovTask;
    expect(task.vocabulary.length).toBe(12);
    expect(task.positions).toBe(32);
    const sharp = new MarkovTask({ alphabet: 12, order: 2, concentration: 0.05, context: 32 }, 1);
    const flat = new MarkovTask({ alphabet: 12, order: 2, concentration: 10, context: 32 }, 1);
    expect(sharp.entropyRate).toBeLessThan(task.entropyRate);
    expect(task.entropyRate).toBeLessThan(flat.entropyRate);
    expect(flat.entropyRate).toBeLessThan(Math.log(12));
  });
});
