import { beforeAll, describe, expect, it } from 'vitest';
import { permutation } from '../src/engine/rng';
import { OfflineSource } from '../src/engine/stream';
import { createTask } from '../src/engine/tasks';
import * as tf from '../src/engine/tf';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { ExperimentSpec, validateSpec, type ExperimentSpecInput } from '../src/spec/schema';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base: ExperimentSpecInput = {
  task: { kind: 'teacher-student', inputDim: 6, teacherWidth: 8, classes: 3 },
  model: { width: 12, depth: 2 },
  optimizer: { kind: 'adam' },
  budgetSteps: 90,
  evalEvery: 10,
  probeSize: 32,
};

async function train(input: ExperimentSpecInput, groupRuns = false) {
  const trainer = new Trainer(ExperimentSpec.parse(input), { groupRuns });
  const rows = new Map<string, MetricRow[]>();
  while (trainer.active) {
    for (const [id, r] of await trainer.advance(17)) rows.set(id, [...(rows.get(id) ?? []), ...r]);
  }
  const progress = trainer.progress();
  trainer.dispose();
  return { rows, progress };
}

describe('forks', () => {
  for (const groupRuns of [false, true]) {
    it(`a fork with no changes continues exactly as its parent would have (groupRuns: ${groupRuns})`, async () => {
      const { rows, progress } = await train(
        {
          ...base,
          runs: [
            { id: 'p', batchSize: 8, learningRate: 0.01 },
            { id: 'f', batchSize: 8, learningRate: 0.01, fork: { parent: 'p', atStep: 40 } },
          ],
        },
        groupRuns,
      );
      const parent = rows.get('p')!.filter((r) => r.step > 40);
      const fork = rows.get('f')!;
      expect(fork[0].step).toBe(41);
      expect(fork[0].samples).toBe(41 * 8);
      expect(fork).toHaveLength(parent.length);
      // Bit for bit: losses, eval losses and noise estimates (the copied EMA state included).
      expect(fork).toEqual(parent.map((r) => ({ ...r, wallMs: expect.any(Number) })));
      expect(progress.find((p) => p.id === 'f')!.status).toBe('done');
    });
  }

  it('a fork at step 0 starts from the parent\'s initialisation and stream', async () => {
    const { rows } = await train({
      ...base,
      runs: [
        { id: 'p', batchSize: 8, learningRate: 0.01, seed: 5 },
        { id: 'f', batchSize: 8, learningRate: 0.01, seed: 5, fork: { parent: 'p', atStep: 0 } },
      ],
    });
    expect(rows.get('f')!.map((r) => r.trainLoss)).toEqual(rows.get('p')!.map((r) => r.trainLoss));
  });

  it('a fork with a larger batch leaves the parent at the fork step and continues its stream', async () => {
    const { rows } = await train({
      ...base,
      runs: [
        { id: 'p', batchSize: 8, learningRate: 0.01 },
        { id: 'big', batchSize: 32, learningRate: 0.01, fork: { parent: 'p', atStep: 30 } },
      ],
    });
    const fork = rows.get('big')!;
    expect(fork[0]).toMatchObject({ step: 31, samples: 30 * 8 + 32, batchSize: 32 });
    expect(fork.at(-1)!.samples).toBe(30 * 8 + 60 * 32);
    expect(fork[0].trainLoss).not.toBe(rows.get('p')![30].trainLoss);
  });

  it('a fork of a diverged parent never starts and says why', async () => {
    const { progress } = await train({
      ...base,
      task: { kind: 'teacher-student', output: 'regression', inputDim: 6, teacherWidth: 8 },
      optimizer: { kind: 'sgd' },
      runs: [
        { id: 'p', batchSize: 8, learningRate: 60 },
        { id: 'f', batchSize: 8, learningRate: 0.01, fork: { parent: 'p', atStep: 80 } },
      ],
    });
    expect(progress.find((p) => p.id === 'p')!.status).toBe('diverged');
    const fork = progress.find((p) => p.id === 'f')!;
    expect(fork.status).toBe('diverged');
    expect(fork.reason).toMatch(/parent p diverged at step \d+, so the fork at step 80 could not start/);
    expect(fork.step).toBe(0);
  });

  it('forkNow branches from the current state; editing the fork later restarts a parent past the fork step', async () => {
    const spec = ExperimentSpec.parse({ ...base, runs: [{ id: 'p', batchSize: 8, learningRate: 0.01 }] });
    const trainer = new Trainer(spec, { groupRuns: false });
    await trainer.advance(25);
    const forked = trainer.forkNow('p', { id: 'now', batchSize: 16, learningRate: 0.005 });
    expect(forked.runs[1]).toEqual({ id: 'now', batchSize: 16, learningRate: 0.005, seed: 1, fork: { parent: 'p', atStep: 25 } });
    expect(validateSpec(forked).ok).toBe(true);
    expect(trainer.progress()[1]).toMatchObject({ id: 'now', status: 'running', step: 25, samples: 200 });
    expect(() => trainer.forkNow('p', { id: 'now', batchSize: 8, learningRate: 1 })).toThrow(/already used/);
    expect(() => trainer.forkNow('nobody', { id: 'x', batchSize: 8, learningRate: 1 })).toThrow(/no run "nobody"/);
    await trainer.advance(10);
    // Move the fork point back to step 10: the parent (at 35) must replay from 0 to give the state at 10.
    const restarted = trainer.update({ ...forked, runs: [forked.runs[0], { ...forked.runs[1], fork: { parent: 'p', atStep: 10 } }] });
    expect(restarted).toEqual(['p', 'now']);
    expect(trainer.progress().map((p) => [p.id, p.status, p.step])).toEqual([
      ['p', 'running', 0],
      ['now', 'waiting', 0],
    ]);
    trainer.dispose();
  });
});

describe('scheduled noise changes', () => {
  it('take effect exactly at t₀, and equal a fork at t₀ with the same new settings', async () => {
    const { rows } = await train({
      ...base,
      optimizer: { kind: 'sgd' },
      runs: [
        { id: 'cut', batchSize: 8, learningRate: 0.2, change: { atStep: 30, batchFactor: 4, lrDivisor: 2 } },
        { id: 'twin', batchSize: 8, learningRate: 0.2 },
        { id: 'branch', batchSize: 32, learningRate: 0.1, fork: { parent: 'twin', atStep: 30 } },
      ],
    });
    const cut = rows.get('cut')!;
    expect(cut[29]).toMatchObject({ step: 30, batchSize: 8, lr: 0.2, samples: 240 });
    expect(cut[30]).toMatchObject({ step: 31, batchSize: 32, lr: 0.1, samples: 240 + 32 });
    expect(cut[30].temperature).toBeCloseTo(0.1 / 32, 15);
    const branch = rows.get('branch')!;
    expect(cut.slice(30).map((r) => r.trainLoss)).toEqual(branch.map((r) => r.trainLoss));
  });
});

describe('offline regime', () => {
  const task = createTask({ kind: 'teacher-student', output: 'classification', inputDim: 3, teacherWidth: 4, classes: 2, teacherScale: 1, labelNoise: 0 }, 1);
  const N = 50;
  const source = new OfflineSource(task, 1, { kind: 'offline', trainSize: N });
  const rowsOf = (x: Float32Array) => Array.from({ length: x.length / 3 }, (_, i) => x.slice(i * 3, i * 3 + 3).join(','));
  const trainingSet = rowsOf(source.x);

  it('an epoch visits every training sample exactly once, in a fresh order each epoch', () => {
    const x = new Float32Array(3 * N * 3);
    const y = new Float32Array(3 * N * 2);
    // Batches of 7 straddle the epoch boundaries.
    for (let p = 0; p < 3 * N; p += 7) source.fill(42, p, Math.min(7, 3 * N - p), x, y, p);
    const seen = rowsOf(x);
    for (let e = 0; e < 3; e++) {
      const epoch = seen.slice(e * N, (e + 1) * N);
      expect([...epoch].sort()).toEqual([...trainingSet].sort());
    }
    expect(seen.slice(0, N)).not.toEqual(seen.slice(N, 2 * N));
    expect(seen.slice(0, N)).not.toEqual(trainingSet); // shuffled, not in storage order
  });

  it('orders depend on the run seed, the training set does not', () => {
    const a = new Float32Array(N * 3);
    const b = new Float32Array(N * 3);
    source.fill(1, 0, N, a, new Float32Array(N * 2), 0);
    source.fill(2, 0, N, b, new Float32Array(N * 2), 0);
    expect(rowsOf(a)).not.toEqual(rowsOf(b));
    expect([...rowsOf(a)].sort()).toEqual([...rowsOf(b)].sort());
  });

  it('permutations are permutations', () => {
    const p = permutation(1000, 9);
    expect([...p].sort((u, v) => u - v)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('the trainer reports the training-set loss, and with many epochs it falls below the held-out loss', async () => {
    const { rows } = await train({
      ...base,
      regime: { kind: 'offline', trainSize: 64 },
      model: { width: 64, depth: 2 },
      budgetSteps: 600,
      evalEvery: 100,
      runs: [{ id: 'o', batchSize: 16, learningRate: 0.01 }],
    });
    const evals = rows.get('o')!.filter((r) => r.evalLoss !== undefined);
    expect(evals.map((r) => r.step)).toEqual([100, 200, 300, 400, 500, 600]);
    const last = evals.at(-1)!;
    expect(last.trainSetLoss!).toBeLessThan(last.evalLoss! - 0.05);
  });
});

describe('bad interventions are refused with a clear message', () => {
  const run = { id: 'r', batchSize: 8, learningRate: 0.1 };
  const cases: Array<[string, ExperimentSpecInput, string, RegExp]> = [
    ['a batch larger than the training set', { regime: { kind: 'offline', trainSize: 64 }, runs: [{ ...run, batchSize: 128 }] }, 'runs.0.batchSize', /at most the training set size \(64\)/],
    ['a change that makes the batch larger than the training set', { regime: { kind: 'offline', trainSize: 64 }, runs: [{ ...run, change: { atStep: 5, batchFactor: 16 } }] }, 'runs.0.change.batchFactor', /= 128 is over the limit of 64/],
    ['a zero factor', { runs: [{ ...run, change: { atStep: 5, batchFactor: 0 } }] }, 'runs.0.change.batchFactor', /greater than 0/],
    ['a negative divisor', { runs: [{ ...run, change: { atStep: 5, lrDivisor: -2 } }] }, 'runs.0.change.lrDivisor', /greater than 0/],
    ['a fractional batch after the change', { runs: [{ ...run, change: { atStep: 5, batchFactor: 0.3 } }] }, 'runs.0.change.batchFactor', /not a whole batch size/],
    ['a change beyond the budget', { budgetSteps: 100, runs: [{ ...run, change: { atStep: 100 } }] }, 'runs.0.change.atStep', /before the budget ends/],
    ['a fork beyond the budget', { budgetSteps: 100, runs: [run, { ...run, id: 'f', fork: { parent: 'r', atStep: 150 } }] }, 'runs.1.fork.atStep', /before the budget ends/],
    ['a fork of an unknown run', { runs: [run, { ...run, id: 'f', fork: { parent: 'ghost', atStep: 5 } }] }, 'runs.1.fork.parent', /listed before it/],
    ['a fork listed before its parent', { runs: [{ ...run, id: 'f', fork: { parent: 'r', atStep: 5 } }, run] }, 'runs.0.fork.parent', /listed before it/],
    ['a fork with another seed', { runs: [run, { ...run, id: 'f', seed: 2, fork: { parent: 'r', atStep: 5 } }] }, 'runs.1.seed', /must be 1/],
    ['a fork whose change comes before the fork', { runs: [run, { ...run, id: 'f', fork: { parent: 'r', atStep: 50 }, change: { atStep: 20 } }] }, 'runs.1.change.atStep', /after the fork/],
  ];
  for (const [name, input, path, message] of cases) {
    it(name, () => {
      const result = validateSpec(input);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.find((i) => i.path === path)?.message).toMatch(message);
    });
  }
});
