/**
 * The runner never writes B_simple without its uncertainty: until the estimator has an interval, a row that
 * measured noise says `noiseEstimating` and has no `noiseScale` (issue: 24 of 72 values of a 600-step run
 * were bare numbers). Trains a small experiment with the runner's own code on the cpu backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, runExperiment } from '../src/cli/run';
import type { ExperimentResult } from '../src/cli/result';
import { ExperimentSpec } from '../src/spec/schema';

let result: ExperimentResult;

beforeAll(async () => {
  await initBackend('cpu', () => {});
  // Noise measured on every 2nd step: the interval needs a few measurements, so the first rows are estimating.
  const spec = ExperimentSpec.parse({
    model: { width: 8, depth: 1 },
    probeSize: 16,
    budgetSteps: 40,
    evalEvery: 20,
    noise: { every: 2 },
    runs: [
      { id: 'a', batchSize: 8, learningRate: 0.1 },
      { id: 'b', batchSize: 32, learningRate: 0.1 },
    ],
  });
  result = await runExperiment(spec, { backend: 'cpu', chunkSteps: 10 });
}, 120_000);

describe("the runner's B_simple rows", () => {
  it('write B_simple only with its 95 % interval, and "estimating" before there is one', () => {
    for (const run of result.runs) {
      const measured = run.metrics.filter((r) => r.gradNorm !== undefined);
      expect(measured.length).toBe(20);
      for (const row of run.metrics) {
        if (row.noiseScale !== undefined) {
          expect(row.noiseScaleLow, `${run.id} step ${row.step}`).toBeLessThanOrEqual(row.noiseScale);
          expect(row.noiseScaleHigh, `${run.id} step ${row.step}`).toBeGreaterThanOrEqual(row.noiseScale);
        }
        // One of: a value with its interval, "estimating", "not resolved", or nothing (no measurement yet).
        const states = [row.noiseScale !== undefined, row.noiseEstimating === true, row.noiseUnresolved === true].filter(Boolean);
        expect(states.length).toBeLessThanOrEqual(1);
      }
      // The first measurements are estimating, then the interval exists from some step on and stays.
      const firstEstimate = measured.findIndex((r) => !r.noiseEstimating);
      expect(firstEstimate, run.id).toBeGreaterThanOrEqual(2);
      expect(measured.slice(0, firstEstimate).every((r) => r.noiseEstimating && r.noiseScale === undefined)).toBe(true);
      expect(measured.slice(firstEstimate).every((r) => r.noiseScale !== undefined || r.noiseUnresolved)).toBe(true);
    }
  });

});
