/**
 * A run's numbers do not depend on the pool: the same experiment trained by one trainer, and split into
 * shares (engine/partition.ts) each trained by its own trainer on the experiment cut to its runs
 * (ui/training/shares.ts, as the page's pool of workers and the runner's threads do), gives every run the
 * same metric rows (every loss, evaluation and noise estimate) and ladder points, on the cpu backend with runs kept apart (as on
 * wasm and cpu, the backends where the pool has more than one worker).
 */
import { describe, expect, it } from 'vitest';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { partitionRuns } from '../src/engine/partition';
import { ExperimentSpec } from '../src/spec/schema';
import { subSpec } from '../src/ui/training/shares';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const SPEC = ExperimentSpec.parse({
  model: { width: 12, depth: 2 },
  probeSize: 32,
  evalEvery: 6,
  budgetSteps: 60,
  noise: { every: 3 },
  comparisons: [{ a: 'a', b: 'c', level: 1.05 }],
  runs: [
    { id: 'a', batchSize: 8, learningRate: 0.1 },
    { id: 'b', batchSize: 8, learningRate: 0.1, seed: 2, change: { atStep: 30, batchFactor: 4, lrDivisor: 1 } },
    { id: 'a-fork', batchSize: 32, learningRate: 0.05, fork: { parent: 'a', atStep: 25 } },
    { id: 'c', batchSize: 16, learningRate: 0.2, seed: 3 },
    { id: 'd', batchSize: 4, learningRate: 0.3, seed: 4 },
  ],
});

type Trained = Map<string, { rows: Omit<MetricRow, 'wallMs'>[]; ladder: unknown[] }>;

/** Trains `spec` to its end in chunks of `chunk` steps; every run's rows and ladder points. */
async function train(spec: ExperimentSpec, chunk: number): Promise<Trained> {
  const trainer = new Trainer(spec, { groupRuns: false });
  const out: Trained = new Map(spec.runs.map((r) => [r.id, { rows: [], ladder: [] }]));
  try {
    for (let guard = 0; trainer.active && guard < 1000; guard++) {
      for (const [id, rows] of await trainer.advance(chunk)) out.get(id)!.rows.push(...rows.map(({ wallMs: _w, ...r }) => r));
    }
    for (const [id, points] of trainer.drainLadder()) out.get(id)!.ladder.push(...points);
    return out;
  } finally {
    trainer.dispose();
  }
}

describe('a pool of trainers', () => {
  it.each([2, 3])('trains every run to the same numbers as one trainer (%i shares)', async (n) => {
    const whole = await train(SPEC, 7);
    const shares = partitionRuns(SPEC, n);
    expect(shares.filter((s) => s.length)).toHaveLength(n);
    expect(shares.find((s) => s.includes('a'))).toContain('a-fork'); // the fork lives with its parent
    const parts = new Map<string, Trained extends Map<string, infer V> ? V : never>();
    for (const share of shares) {
      // Other chunk sizes too: where a chunk ends must not matter either.
      for (const [id, trained] of await train(subSpec(SPEC, new Set(share)), 5 + share.length)) parts.set(id, trained);
    }
    for (const run of SPEC.runs) {
      const [a, b] = [whole.get(run.id)!, parts.get(run.id)!];
      expect(b.rows.length, run.id).toBe(SPEC.budgetSteps - (run.fork?.atStep ?? 0));
      expect(b.rows, run.id).toEqual(a.rows);
      expect(b.ladder, run.id).toEqual(a.ladder);
    }
  });
});
