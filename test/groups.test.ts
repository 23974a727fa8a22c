/** Seed groups and their statistics (engine/groups.ts). */
import { describe, expect, it } from 'vitest';
import { groupEvalLoss, meanBand, seedGroups, tQuantile975 } from '../src/engine/groups';
import { ExperimentSpec } from '../src/spec/schema';

describe('seed groups', () => {
  it('groups runs that differ only in seed, in order of their first run; a change or fork sets a run apart', () => {
    const spec = ExperimentSpec.parse({
      runs: [
        { id: 'a1', batchSize: 8, learningRate: 0.1, seed: 1 },
        { id: 'b1', batchSize: 32, learningRate: 0.1, seed: 1 },
        { id: 'a2', batchSize: 8, learningRate: 0.1, seed: 2 },
        { id: 'c1', batchSize: 8, learningRate: 0.05, seed: 1 },
        { id: 'cut', batchSize: 8, learningRate: 0.1, seed: 3, change: { atStep: 10, batchFactor: 2, lrDivisor: 1 } },
        { id: 'cut2', batchSize: 8, learningRate: 0.1, seed: 4, change: { atStep: 10, batchFactor: 2, lrDivisor: 1 } },
      ],
    });
    expect(seedGroups(spec.runs).map((g) => g.runs)).toEqual([['a1', 'a2'], ['b1'], ['c1'], ['cut', 'cut2']]);
  });

  it('mean ± std, and the 95 % interval of the mean with Student t', () => {
    const v = [1, 2, 3, 4];
    const std = Math.sqrt(5 / 3);
    const s = meanBand(v, 'std')!;
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(std, 12);
    expect([s.low, s.high]).toEqual([2.5 - s.std!, 2.5 + s.std!]);
    const ci = meanBand(v, 'ci')!;
    expect(ci.high - ci.mean).toBeCloseTo((3.182 * std) / 2, 12);
    expect(meanBand([7], 'ci')).toEqual({ mean: 7, std: null, n: 1, low: 7, high: 7 });
    expect(meanBand([NaN], 'std')).toBeNull();
    expect(meanBand([1, NaN, 3], 'std')!.n).toBe(2);
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(100)).toBe(1.96);
  });

  it('the 95 % interval of the mean holds the true mean about 95 % of the time (2,000 groups of 3)', () => {
    let state = 12345;
    const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
    const gauss = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    let covered = 0;
    for (let i = 0; i < 2000; i++) {
      const b = meanBand([gauss(), gauss(), gauss()], 'ci')!;
      if (b.low <= 0 && 0 <= b.high) covered++;
    }
    expect(covered / 2000).toBeGreaterThan(0.93);
    expect(covered / 2000).toBeLessThan(0.97);
  });

  it('held-out loss across seeds at each evaluated step, n counting the members there', () => {
    const rows = groupEvalLoss([
      [{ step: 1 }, { step: 10, evalLoss: 1 }, { step: 20, evalLoss: 0.5 }],
      [{ step: 10, evalLoss: 3 }, { step: 20, evalLoss: null }],
    ]);
    expect(rows).toEqual([
      { step: 10, evalLossMean: 2, evalLossStd: Math.SQRT2, n: 2 },
      { step: 20, evalLossMean: 0.5, evalLossStd: null, n: 1 },
    ]);
  });
});
