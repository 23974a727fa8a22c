import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../src/engine/trainer';
import { defaultTarget, fitNoiseScale, fittedSamples, fittedSteps, parseTarget, roundUp, stepsToTarget, sweepSummary } from '../src/ui/charts/fit';

/** Rows of a run of batch size B whose held-out loss is 1/step, evaluated every `every` steps. */
const run = (B: number, n: number, every = 10, extra: (step: number) => Partial<MetricRow> = () => ({})): MetricRow[] =>
  Array.from({ length: n }, (_, i) => {
    const step = i + 1;
    return {
      step,
      samples: step * B,
      trainLoss: 1,
      batchSize: B,
      lr: 0.1,
      temperature: 0.1 / B,
      wallMs: step,
      ...(step % every === 0 ? { evalLoss: 10 / step } : {}),
      ...extra(step),
    } as MetricRow;
  });

describe('stepsToTarget', () => {
  it('takes the first evaluation at or below the target, with samples and B_simple there', () => {
    const rows = run(8, 100, 10, (s) => ({ noiseScale: s * 2 }));
    expect(stepsToTarget(rows, 0.5)).toEqual({ step: 20, samples: 160, noiseScale: 40 }); // 10/20 = 0.5: at, not below
    expect(stepsToTarget(rows, 0.26)).toEqual({ step: 40, samples: 320, noiseScale: 80 });
    expect(stepsToTarget(rows, 0.01)).toBeNull(); // never reached
    expect(stepsToTarget([], 1)).toBeNull();
  });
  it('ignores training losses and steps without an evaluation, and reports a missing B_simple as null', () => {
    const rows = run(8, 30, 10).map((r) => ({ ...r, trainLoss: 0 }));
    expect(stepsToTarget(rows, 1)).toEqual({ step: 10, samples: 80, noiseScale: null });
  });
});

describe('fitNoiseScale: S = S_min (1 + B_noise / B)', () => {
  const exact = (sMin: number, bNoise: number, batches: number[]) => batches.map((B) => ({ batchSize: B, steps: sMin * (1 + bNoise / B) }));

  it('recovers S_min and B_noise exactly from noiseless points', () => {
    for (const [sMin, bNoise] of [
      [120, 300],
      [40, 16],
      [1000, 2048],
    ]) {
      const fit = fitNoiseScale(exact(sMin, bNoise, [8, 32, 128, 512, 2048]));
      expect(fit.ok).toBe(true);
      if (!fit.ok) continue;
      expect(fit.sMin).toBeCloseTo(sMin, 8);
      expect(fit.bNoise).toBeCloseTo(bNoise, 8);
      expect(fit.bCrit).toBeCloseTo(bNoise, 8); // B_crit = E_min / S_min = B_noise
      expect(fit.eMin).toBeCloseTo(sMin * bNoise, 6);
      expect(fittedSteps(fit, 64)).toBeCloseTo(sMin * (1 + bNoise / 64), 6);
      expect(fittedSamples(fit, 64)).toBeCloseTo(sMin * (64 + bNoise), 6); // E = E_min (1 + B / B_noise)
    }
    // Two points determine the line.
    const two = fitNoiseScale(exact(50, 100, [10, 1000]));
    expect(two.ok && [two.sMin, two.bNoise].map((v) => Number(v.toFixed(9)))).toEqual([50, 100]);
  });

  it('lands near the truth on noisy data (±5% multiplicative noise, repeated batch sizes)', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const points = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048].flatMap((B) =>
      [0, 1, 2].map(() => ({ batchSize: B, steps: 200 * (1 + 256 / B) * (1 + 0.05 * rand()) })),
    );
    const fit = fitNoiseScale(points);
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.sMin).toBeGreaterThan(200 * 0.9);
    expect(fit.sMin).toBeLessThan(200 * 1.1);
    expect(fit.bNoise).toBeGreaterThan(256 * 0.85);
    expect(fit.bNoise).toBeLessThan(256 * 1.15);
  });

  it('refuses fewer than 2 distinct batch sizes', () => {
    const none = fitNoiseScale([]);
    expect(none).toEqual({ ok: false, reason: expect.stringMatching(/at least 2 distinct batch sizes.*none has/) });
    const one = fitNoiseScale([{ batchSize: 32, steps: 100 }]);
    expect(one.ok).toBe(false);
    expect(!one.ok && one.reason).toMatch(/only 1 has/);
    // Two runs of the same batch size are still one batch size.
    const same = fitNoiseScale([{ batchSize: 32, steps: 100 }, { batchSize: 32, steps: 120 }]);
    expect(!same.ok && same.reason).toMatch(/at least 2 distinct batch sizes/);
  });

  it('refuses a non-positive S_min with a reason', () => {
    // Perfect 1/B scaling through the origin of 1/B, and beyond it: S ∝ 1/B − c.
    const fit = fitNoiseScale([8, 16, 32].map((B) => ({ batchSize: B, steps: 1000 / B - 10 })));
    expect(fit.ok).toBe(false);
    expect(!fit.ok && fit.reason).toMatch(/S_min = -?[\d.e+-]+, not positive.*larger batch sizes/);
  });

  it('refuses a non-positive B_noise with a reason (steps that do not fall as B grows)', () => {
    const flat = fitNoiseScale([8, 64, 512].map((B) => ({ batchSize: B, steps: 100 })));
    expect(flat.ok).toBe(false);
    expect(!flat.ok && flat.reason).toMatch(/B_noise = 0, not positive.*smaller batch sizes/);
    const rising = fitNoiseScale([8, 64, 512].map((B) => ({ batchSize: B, steps: 100 + B / 8 })));
    expect(!rising.ok && rising.reason).toMatch(/B_noise = -[\d.]+, not positive/);
  });

  it('refuses points that are not positive numbers', () => {
    expect(fitNoiseScale([{ batchSize: 8, steps: 0 }, { batchSize: 16, steps: 5 }]).ok).toBe(false);
    expect(fitNoiseScale([{ batchSize: 8, steps: NaN }, { batchSize: 16, steps: 5 }]).ok).toBe(false);
  });
});

describe('sweepSummary', () => {
  it('averages runs sharing a batch size, lists runs that did not reach the target, and leaves out forks and changes', () => {
    const metrics: Record<string, MetricRow[]> = {
      a8: run(8, 100, 10, (s) => ({ noiseScale: 100 + s })), // reaches 0.25 at step 40
      b8: run(8, 100, 20, (s) => ({ noiseScale: 200 + s })), // evaluated every 20: step 40 as well
      c64: run(64, 100, 10, (s) => ({ evalLoss: s % 10 === 0 ? 5 / s : undefined, noiseScale: 300 })), // 5/20 = 0.25 at step 20
      slow: run(512, 30, 10), // best 10/30 ≈ 0.333
      early: [],
      fork: run(8, 100, 10),
      changed: run(8, 100, 10),
    };
    const runs = [
      { id: 'a8', batchSize: 8, learningRate: 0.1 },
      { id: 'b8', batchSize: 8, learningRate: 0.1 },
      { id: 'c64', batchSize: 64, learningRate: 0.1 },
      { id: 'slow', batchSize: 512, learningRate: 0.1 },
      { id: 'early', batchSize: 16, learningRate: 0.1 },
      { id: 'fork', batchSize: 32, learningRate: 0.1, fork: { parent: 'a8', atStep: 10 } },
      { id: 'changed', batchSize: 8, learningRate: 0.1, change: { atStep: 5, batchFactor: 2, lrDivisor: 1 } },
    ];
    const s = sweepSummary(runs, metrics, 0.25);
    expect(s.batches).toEqual([
      { batchSize: 8, runs: ['a8', 'b8'], steps: 40, samples: 320, noiseScale: (140 + 240) / 2 },
      { batchSize: 64, runs: ['c64'], steps: 20, samples: 1280, noiseScale: 300 },
    ]);
    expect(s.unreached).toEqual([
      { id: 'slow', batchSize: 512, best: 10 / 30 },
      { id: 'early', batchSize: 16, best: null },
    ]);
    expect(s.excluded).toEqual(['fork', 'changed']);
    expect(s.mixedLearningRates).toBe(false);
    expect(s.bSimple).toBeCloseTo((140 + 240 + 300) / 3, 12);
    // Two batch sizes: the fit passes through both mean step counts.
    expect(s.fit.ok).toBe(true);
    if (s.fit.ok) {
      expect(fittedSteps(s.fit, 8)).toBeCloseTo(40, 9);
      expect(fittedSteps(s.fit, 64)).toBeCloseTo(20, 9);
    }
  });

  it('says why there is no fit when fewer than 2 batch sizes reached the target', () => {
    const s = sweepSummary([{ id: 'a', batchSize: 8, learningRate: 0.1 }, { id: 'b', batchSize: 64, learningRate: 0.2 }], { a: run(8, 50), b: run(64, 5) }, 0.5);
    expect(s.batches.map((b) => b.batchSize)).toEqual([8]);
    expect(s.fit).toEqual({ ok: false, reason: expect.stringMatching(/only 1 has/) });
    expect(s.bSimple).toBeNull();
    expect(s.mixedLearningRates).toBe(true);
  });
});

describe('the default target and the target field', () => {
  it('is the highest of the runs\' lowest held-out losses, rounded up to 2 significant digits', () => {
    const runs = [
      { id: 'a', batchSize: 8, learningRate: 0.1 },
      { id: 'b', batchSize: 64, learningRate: 0.1 },
      { id: 'c', batchSize: 64, learningRate: 0.1 }, // not evaluated yet: skipped
      { id: 'f', batchSize: 64, learningRate: 0.1, fork: { parent: 'a', atStep: 1 } }, // not in the sweep
    ];
    const metrics = { a: run(8, 100), b: run(64, 37), c: run(64, 5), f: run(64, 11) };
    // a's best is 0.1, b's best is 10/30 = 0.333…: every run reached 0.34.
    expect(defaultTarget(runs, metrics)).toBe(0.34);
    const s = sweepSummary(runs, metrics, 0.34);
    expect(s.batches.flatMap((b) => b.runs)).toEqual(['a', 'b']);
    expect(defaultTarget(runs, {})).toBeNull();
  });
  it('rounds up, never down', () => {
    expect(roundUp(0.7234, 2)).toBe(0.73);
    expect(roundUp(0.73, 2)).toBe(0.73);
    expect(roundUp(0.7300000190734863, 2)).toBe(0.74); // a float32 loss just above 0.73
    expect(roundUp(9.99, 2)).toBe(10);
    expect(roundUp(0.0012345, 2)).toBe(0.0013);
    expect(roundUp(123, 2)).toBe(130);
    for (let i = 0; i < 1000; i++) {
      const v = Math.exp((i / 1000) * 20 - 10);
      expect(roundUp(v, 2)).toBeGreaterThanOrEqual(v);
      expect(roundUp(v, 2)).toBeLessThanOrEqual(v * 1.11);
    }
  });
  it('parses a typed target or says what is wrong', () => {
    expect(parseTarget(' 0.7 ')).toEqual({ ok: true, value: 0.7 });
    expect(parseTarget('1e-2')).toEqual({ ok: true, value: 0.01 });
    expect(parseTarget('')).toEqual({ ok: false, message: 'Enter a target loss, e.g. 0.7' });
    expect(parseTarget('abc')).toEqual({ ok: false, message: '"abc" is not a number' });
    expect(parseTarget('0')).toEqual({ ok: false, message: 'The target loss must be greater than 0' });
    expect(parseTarget('-1')).toEqual({ ok: false, message: 'The target loss must be greater than 0' });
    expect(parseTarget('Infinity').ok).toBe(false);
  });
});
