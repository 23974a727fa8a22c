/** Verdicts per claim (engine/verdicts.ts) and bootstrap intervals of distances (engine/distance.ts). */
import { describe, expect, it } from 'vitest';
import { equalLossVerdict, verdicts, type EvalRows } from '../src/engine/verdicts';
import { bootstrapDistances, functionDistance } from '../src/engine/distance';
import { ExperimentSpec } from '../src/spec/schema';

/** Rows evaluated every 10 steps with loss(step). */
const evals = (n: number, loss: (step: number) => number): EvalRows => Array.from({ length: n }, (_, i) => ({ step: (i + 1) * 10, evalLoss: loss((i + 1) * 10) }));

describe('verdicts', () => {
  const sweep = ExperimentSpec.parse({
    runs: [
      { id: 'b8', batchSize: 8, learningRate: 0.1 },
      { id: 'b8-s2', batchSize: 8, learningRate: 0.1, seed: 2 },
      { id: 'b64', batchSize: 64, learningRate: 0.1 },
      { id: 'b64-s2', batchSize: 64, learningRate: 0.1, seed: 2 },
    ],
  });

  it('online: larger batch lower on the groups’ means, counted over evaluated steps', () => {
    // b64's mean is lower except at steps 10 and 20, where one seed of b64 is far up.
    const metrics = new Map<string, EvalRows>([
      ['b8', evals(50, () => 1)],
      ['b8-s2', evals(50, () => 1)],
      ['b64', evals(50, () => 0.9)],
      ['b64-s2', evals(50, (s) => (s <= 20 ? 2 : 0.9))],
    ]);
    const [v] = verdicts(sweep, metrics);
    expect(v).toMatchObject({ claim: 'batch-order', status: 'holds', count: { of: 48, total: 50 } });
    expect(v.text).toBe('larger batch lower at 96 % of evaluated steps (48 of 50): holds');
    const reversed = new Map<string, EvalRows>([...metrics].map(([id, rows]) => [id, id.startsWith('b8') ? evals(50, () => 0.5) : rows]));
    expect(verdicts(sweep, reversed)[0]).toMatchObject({ status: 'fails', count: { of: 0, total: 50 } });
    expect(verdicts(sweep, new Map([['b8', evals(2, () => 1)]]))[0].status).toBe('pending');
  });

  it('offline: reports whether the smallest batch ends lowest (the contrast)', () => {
    const offline = ExperimentSpec.parse({ ...sweep, regime: { kind: 'offline', trainSize: 1024 } });
    const metrics = new Map<string, EvalRows>(sweep.runs.map((r) => [r.id, evals(10, (s) => (r.batchSize === 8 ? 0.7 : 0.6 + s / 1000))]));
    const [v] = verdicts(offline, metrics);
    expect(v.status).toBe('contrast');
    expect(v.text).toContain('the smallest batch (B = 8) is lowest');
  });

  it('noise cut and fork: the branch below the run it left at every evaluation since the cut', () => {
    const spec = ExperimentSpec.parse({
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.1 },
        { id: 'b8-cut', batchSize: 8, learningRate: 0.1, change: { atStep: 100, batchFactor: 8, lrDivisor: 1 } },
        { id: 'b8-fork', batchSize: 64, learningRate: 0.1, fork: { parent: 'b8', atStep: 100 } },
      ],
    });
    const metrics = new Map<string, EvalRows>([
      ['b8', evals(30, () => 1)],
      ['b8-cut', evals(30, (s) => (s <= 100 ? 1 : 0.8))],
      ['b8-fork', evals(30, (s) => (s === 200 ? 1.2 : 0.8)).filter((r) => r.step > 100)],
    ]);
    const [cut, fork] = verdicts(spec, metrics);
    expect(cut.text).toBe('b8-cut (cut at step 100) below b8 at every evaluation since the cut (20 of 20): holds');
    expect(fork).toMatchObject({ status: 'holds', count: { of: 19, total: 20 } });
  });

  it('equal loss: within, closer or farther than the seed baseline, by their intervals', () => {
    const c = { a: 'b8', b: 'b128', level: 0.778, distance: 0.11, interval: [0.1, 0.12] as [number, number], baseline: 0.13, baselineInterval: [0.12, 0.14] as [number, number], ratioInterval: [0.75, 0.95] as [number, number] };
    expect(equalLossVerdict(c).text).toBe('b8 vs b128: distance 0.11 [0.10, 0.12] vs seed baseline 0.13 [0.12, 0.14] at loss 0.78; ratio 0.85 [0.75, 0.95]: within the baseline');
    expect(equalLossVerdict({ ...c, interval: [0.08, 0.1] }).text).toMatch(/closer than the baseline$/);
    expect(equalLossVerdict({ ...c, distance: 0.2, interval: [0.18, 0.22] }).status).toBe('fails');
    expect(equalLossVerdict({ ...c, distance: 0.2, interval: [0.18, 0.22] }, true).status).toBe('contrast');
    expect(equalLossVerdict({ ...c, baseline: null, baselineInterval: null }).status).toBe('pending');
  });
});

describe('bootstrap intervals of distances', () => {
  it('bracket the distance, narrow with more probe examples, and give the paired ratio', () => {
    const outputs = (n: number, shift: number) => Float32Array.from({ length: n * 2 }, (_, i) => (i % 2 ? shift * Math.sin(i) : 0));
    const shape = { loss: 'xent' as const, classes: 2, positions: 1 };
    const width = (n: number) => {
      const d = functionDistance(outputs(n, 0), outputs(n, 1), shape);
      const b = functionDistance(outputs(n, 0), outputs(n, 2), shape);
      const { distances, ratio } = bootstrapDistances([d, b]);
      const tv = d.kind === 'classification' ? d.tv : NaN;
      const tvB = b.kind === 'classification' ? b.tv : NaN;
      expect(distances[0][0]).toBeLessThanOrEqual(tv);
      expect(distances[0][1]).toBeGreaterThanOrEqual(tv);
      expect(ratio![0]).toBeLessThanOrEqual(tv / tvB);
      expect(ratio![1]).toBeGreaterThanOrEqual(tv / tvB);
      expect(bootstrapDistances([d, b])).toEqual({ distances, ratio }); // deterministic
      return distances[0][1] - distances[0][0];
    };
    const w64 = width(64);
    const w1024 = width(1024);
    expect(w1024).toBeLessThan(w64 / 2.5); // about 1/√16
  });
});
