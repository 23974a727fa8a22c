/**
 * Checkpoint and restore: a trainer restored from a checkpoint (after a round trip through structured
 * cloning, as in postMessage and IndexedDB) continues bit for bit as the uninterrupted trainer, on the cpu
 * backend: every metric row, every run's progress and parameters, through forks, scheduled changes, the
 * noise estimator, Adam's slots and the offline regime.
 */
import { describe, expect, it } from 'vitest';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { isCheckpoint } from '../src/engine/checkpoint';
import { ExperimentSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

type Row = Omit<MetricRow, 'wallMs'>;
const strip = (rows: MetricRow[]): Row[] => rows.map(({ wallMs: _w, ...r }) => r);

async function train(trainer: Trainer, chunk: number, maxSteps: number, into = new Map<string, Row[]>()): Promise<Map<string, Row[]>> {
  let done = 0;
  while (trainer.active && done < maxSteps) {
    const n = Math.min(chunk, maxSteps - done);
    for (const [id, r] of await trainer.advance(n)) into.set(id, [...(into.get(id) ?? []), ...strip(r)]);
    done += n;
  }
  return into;
}

const progressOf = (t: Trainer) => t.progress().map(({ wallMs: _w, ...p }) => p);

const cases: Array<[string, ExperimentSpecInput, boolean]> = [
  [
    'sgd with a fork and a scheduled change, grouped',
    {
      model: { width: 12, depth: 2 },
      probeSize: 32,
      evalEvery: 7,
      budgetSteps: 80,
      noise: { every: 3 },
      runs: [
        { id: 'a', batchSize: 8, learningRate: 0.1 },
        { id: 'b', batchSize: 8, learningRate: 0.1, seed: 2, change: { atStep: 40, batchFactor: 4, lrDivisor: 1 } },
        { id: 'a-fork', batchSize: 32, learningRate: 0.05, fork: { parent: 'a', atStep: 50 } },
        { id: 'c', batchSize: 16, learningRate: 0.2, seed: 3 },
      ],
    },
    true,
  ],
  [
    'adam + warmup-cosine, offline, separate',
    {
      task: { kind: 'teacher-student', inputDim: 6, teacherWidth: 8, classes: 3 },
      model: { width: 10, depth: 1, activation: 'gelu' },
      optimizer: { kind: 'adam' },
      lrSchedule: { kind: 'warmup-cosine', warmupSteps: 10, finalFactor: 0.1 },
      regime: { kind: 'offline', trainSize: 96 },
      probeSize: 32,
      evalEvery: 5,
      budgetSteps: 70,
      runs: [
        { id: 'x', batchSize: 8, learningRate: 0.01 },
        { id: 'y', batchSize: 24, learningRate: 0.01, seed: 5 },
      ],
    },
    false,
  ],
];

describe('restore, then train = train uninterrupted (bit for bit, cpu)', () => {
  for (const [name, input, groupRuns] of cases) {
    for (const at of [0, 23, 45]) {
      it(`${name}, checkpoint at step ${at}`, async () => {
        const spec = ExperimentSpec.parse(input);
        const whole = new Trainer(spec, { groupRuns });
        const want = await train(whole, 6, 1000);

        const first = new Trainer(spec, { groupRuns });
        const got = await train(first, 6, at);
        // Through structured cloning, as when posted by the worker or stored in IndexedDB.
        const checkpoint = structuredClone(await first.checkpoint());
        expect(isCheckpoint(checkpoint)).toBe(true);
        const paramsAtCheckpoint = new Map<string, Float32Array[]>();
        for (const p of first.progress()) if (p.status === 'running') paramsAtCheckpoint.set(p.id, await first.runParams(p.id));
        first.dispose();

        const resumed = new Trainer(checkpoint.spec, { groupRuns });
        resumed.restore(checkpoint);
        for (const [id, params] of paramsAtCheckpoint) expect(await resumed.runParams(id), `params of ${id} after restore`).toEqual(params);
        await train(resumed, 6, 1000, got);

        for (const run of spec.runs) expect(got.get(run.id), `rows of ${run.id}`).toEqual(want.get(run.id));
        expect(progressOf(resumed)).toEqual(progressOf(whole));
        resumed.dispose();
        whole.dispose();
      });
    }
  }

  it('a run that finished or diverged keeps no tensors in the checkpoint; unknown formats are refused', async () => {
    const spec = ExperimentSpec.parse({ model: { width: 8, depth: 1 }, probeSize: 16, budgetSteps: 10, runs: [{ id: 'a', batchSize: 4, learningRate: 0.1 }] });
    const t = new Trainer(spec, { groupRuns: false });
    await train(t, 5, 100);
    const c = await t.checkpoint();
    expect(c.runs[0].state.status).toBe('done');
    expect(c.runs[0].tensors).toBeNull();
    expect(isCheckpoint({ ...c, format: 99 })).toBe(false);
    expect(isCheckpoint(null)).toBe(false);
    t.dispose();
  });
});
