/**
 * The Trainer: grouping along the run axis changes nothing, numbers are reproducible, loss falls, metric rows
 * are where they should be, divergence is contained, edits restart only what they must, nothing leaks.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { ExperimentSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const spec = (input: ExperimentSpecInput) => ExperimentSpec.parse(input);

/** Rows without wall time (the one field that is not a function of the spec). */
type Row = Omit<MetricRow, 'wallMs'>;
const strip = (rows: MetricRow[]): Row[] => rows.map(({ wallMs: _w, ...r }) => r);

/** Advances in chunks until no run is active (or `maxSteps` total), collecting every run's rows. */
async function train(trainer: Trainer, chunk: number, maxSteps = Infinity): Promise<Map<string, Row[]>> {
  const all = new Map<string, Row[]>();
  let done = 0;
  while (trainer.active && done < maxSteps) {
    const n = Math.min(chunk, maxSteps - done);
    const rows = await trainer.advance(n);
    for (const [id, r] of rows) all.set(id, [...(all.get(id) ?? []), ...strip(r)]);
    done += n;
  }
  return all;
}

function expectRowsClose(got: Row[] | undefined, want: Row[] | undefined, label: string, rel = 1e-6) {
  expect(got, label).toBeDefined();
  expect(want, label).toBeDefined();
  expect(got!.map((r) => r.step), label).toEqual(want!.map((r) => r.step));
  got!.forEach((row, i) => {
    const ref = want![i];
    expect([row.samples, row.lr, row.evalLoss === undefined], `${label} step ${row.step}`).toEqual([ref.samples, ref.lr, ref.evalLoss === undefined]);
    for (const key of ['trainLoss', 'evalLoss'] as const) {
      const a = row[key];
      const b = ref[key];
      if (a === undefined || b === undefined) continue;
      expect(Math.abs(a - b), `${label} step ${row.step} ${key}: ${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(b)));
    }
  });
}

function expectParamsClose(got: Float32Array[], want: Float32Array[], label: string, rel = 1e-6) {
  expect(got.map((t) => t.length), label).toEqual(want.map((t) => t.length));
  got.forEach((t, i) => {
    let scale = 0;
    let err = 0;
    for (let e = 0; e < t.length; e++) {
      scale = Math.max(scale, Math.abs(want[i][e]));
      err = Math.max(err, Math.abs(t[e] - want[i][e]));
    }
    expect(err, `${label} param ${i}`).toBeLessThanOrEqual(rel * Math.max(1, scale));
  });
}

const SMALL = { model: { width: 16, depth: 2 }, probeSize: 32, evalEvery: 10 } as const;

describe('run-axis grouping equals separate runs', () => {
  const cases: Array<[string, ExperimentSpecInput]> = [
    [
      'sgd, classification',
      {
        ...SMALL,
        budgetSteps: 60,
        runs: [
          { id: 'a', batchSize: 16, learningRate: 0.1 },
          { id: 'b', batchSize: 16, learningRate: 0.05, seed: 2 },
          { id: 'c', batchSize: 32, learningRate: 0.1 },
          { id: 'd', batchSize: 16, learningRate: 0.3, seed: 3 },
        ],
      },
    ],
    [
      'adam + warmup-cosine, regression, gelu',
      {
        ...SMALL,
        task: { kind: 'teacher-student', output: 'regression', inputDim: 8 },
        model: { width: 16, depth: 2, activation: 'gelu' },
        optimizer: { kind: 'adam' },
        lrSchedule: { kind: 'warmup-cosine', warmupSteps: 10, finalFactor: 0.1 },
        budgetSteps: 60,
        runs: [
          { id: 'a', batchSize: 8, learningRate: 0.01 },
          { id: 'b', batchSize: 8, learningRate: 0.003, seed: 4 },
          { id: 'c', batchSize: 24, learningRate: 0.01 },
        ],
      },
    ],
    [
      'momentum, toy2d spiral, tanh',
      {
        ...SMALL,
        task: { kind: 'toy2d', dataset: 'spiral' },
        model: { width: 16, depth: 3, activation: 'tanh' },
        optimizer: { kind: 'momentum', momentum: 0.9 },
        budgetSteps: 60,
        runs: [
          { id: 'a', batchSize: 16, learningRate: 0.05 },
          { id: 'b', batchSize: 16, learningRate: 0.02, seed: 9 },
        ],
      },
    ],
  ];

  for (const [name, input] of cases) {
    it(`${name}: same losses and parameters, including after a mid-run edit`, async () => {
      const s = spec(input);
      const grouped = new Trainer(s, { groupRuns: true });
      const separate = new Trainer(s, { groupRuns: false });
      const g1 = await train(grouped, 13, 26);
      const s1 = await train(separate, 13, 26);
      for (const run of s.runs) {
        expectRowsClose(g1.get(run.id), s1.get(run.id), `${run.id} before edit`);
        expect(g1.get(run.id)).toHaveLength(26);
        expectParamsClose(await grouped.runParams(run.id), await separate.runParams(run.id), run.id);
      }
      // Restart run b with a new learning rate: a and b then share a group at different steps (Adam's step
      // counts, the schedule and eval points are per run).
      const edited = spec({ ...input, runs: s.runs.map((r) => (r.id === 'b' ? { ...r, learningRate: r.learningRate * 2 } : r)) });
      expect(grouped.update(edited)).toEqual(['b']);
      expect(separate.update(edited)).toEqual(['b']);
      const g2 = await train(grouped, 9, 27);
      const s2 = await train(separate, 9, 27);
      for (const run of edited.runs) {
        expectRowsClose(g2.get(run.id), s2.get(run.id), `${run.id} after edit`);
        expectParamsClose(await grouped.runParams(run.id), await separate.runParams(run.id), `${run.id} after edit`);
      }
      expect(g2.get('a')![0].step).toBe(27);
      expect(g2.get('b')![0].step).toBe(1);
      // Train to the end: a finishes first and b goes on alone.
      const g3 = await train(grouped, 11);
      const s3 = await train(separate, 11);
      for (const run of edited.runs) expectRowsClose(g3.get(run.id), s3.get(run.id), `${run.id} to the end`);
      expect(g3.get('a')!.at(-1)!.step).toBe(60);
      expect(g3.get('b')!.at(-1)!.step).toBe(60);
      expect(grouped.progress().map(({ wallMs: _w, ...p }) => p)).toEqual(separate.progress().map(({ wallMs: _w, ...p }) => p));
      expect(grouped.progress().every((p) => p.status === 'done' && p.step === 60)).toBe(true);
      grouped.dispose();
      separate.dispose();
    });
  }
});

describe('determinism', () => {
  it('two trainers from the same spec give identical numbers, however the steps are chunked', async () => {
    const s = spec({
      ...SMALL,
      budgetSteps: 40,
      runs: [
        { id: 'x', batchSize: 8, learningRate: 0.1 },
        { id: 'y', batchSize: 8, learningRate: 0.2, seed: 5 },
        { id: 'z', batchSize: 32, learningRate: 0.1 },
      ],
    });
    const a = new Trainer(s, { groupRuns: true });
    const b = new Trainer(s, { groupRuns: true });
    const c = new Trainer(s, { groupRuns: true });
    const ra = await train(a, 40);
    const rb = await train(b, 40);
    const rc = await train(c, 7);
    expect(rb).toEqual(ra);
    for (const id of ['x', 'y', 'z']) expectRowsClose(rc.get(id), ra.get(id), id, 0);
    // Another seed changes the numbers (the check can tell runs apart).
    expect(ra.get('x')![5].trainLoss).not.toBe(ra.get('y')![5].trainLoss);
    [a, b, c].forEach((t) => t.dispose());
  });

  it('a different data seed gives a different task and different numbers', async () => {
    const input = { ...SMALL, budgetSteps: 5, runs: [{ id: 'x', batchSize: 8, learningRate: 0.1 }] };
    const a = new Trainer(spec(input), { groupRuns: true });
    const b = new Trainer(spec({ ...input, dataSeed: 2 }), { groupRuns: true });
    const ra = await train(a, 5);
    const rb = await train(b, 5);
    expect(rb.get('x')![0].trainLoss).not.toBe(ra.get('x')![0].trainLoss);
    expect(b.lossFloor).not.toBe(a.lossFloor);
    a.dispose();
    b.dispose();
  });
});

describe('training on the default task', () => {
  it('loss falls; eval rows at multiples of evalEvery and the last step; runs end done', async () => {
    const s = spec({
      budgetSteps: 300,
      probeSize: 64,
      evalEvery: 40,
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.1 },
        { id: 'b32', batchSize: 32, learningRate: 0.1 },
      ],
    });
    const trainer = new Trainer(s, { groupRuns: true });
    expect(trainer.progress().map((p) => [p.id, p.status, p.step, p.trainLoss])).toEqual([
      ['b8', 'running', 0, null],
      ['b32', 'running', 0, null],
    ]);
    const floor = trainer.lossFloor!;
    expect(floor).toBeGreaterThan(0.1);
    expect(floor).toBeLessThan(Math.log(4));
    const rows = await train(trainer, 37);
    for (const run of s.runs) {
      const r = rows.get(run.id)!;
      expect(r.map((row) => row.step)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(r.every((row) => row.samples === row.step * run.batchSize)).toBe(true);
      expect(r.every((row) => row.lr === 0.1)).toBe(true);
      expect(r.filter((row) => row.evalLoss !== undefined).map((row) => row.step)).toEqual([40, 80, 120, 160, 200, 240, 280, 300]);
      const start = r.slice(0, 5).reduce((a, row) => a + row.trainLoss, 0) / 5;
      const end = r.slice(-50).reduce((a, row) => a + row.trainLoss, 0) / 50;
      const evals = r.filter((row) => row.evalLoss !== undefined).map((row) => row.evalLoss!);
      expect(start).toBeGreaterThan(1.2); // ≈ log 4 or worse at initialisation
      expect(end, run.id).toBeLessThan(0.75 * start);
      expect(evals[evals.length - 1], run.id).toBeLessThan(0.65 * start);
      expect(evals[evals.length - 1]).toBeLessThan(evals[0]);
      // Nobody beats the Bayes floor by more than the probe set's sampling error.
      expect(Math.min(...evals)).toBeGreaterThan(floor - 0.3);
    }
    const progress = trainer.progress();
    expect(progress.map((p) => [p.id, p.status, p.step, p.samples])).toEqual([
      ['b8', 'done', 300, 2400],
      ['b32', 'done', 300, 9600],
    ]);
    expect(progress[0].evalLoss).toBe(rows.get('b8')![299].evalLoss);
    expect(progress[1].trainLoss).toBe(rows.get('b32')![299].trainLoss);
    expect(progress.every((p) => p.reason === undefined)).toBe(true);
    expect(trainer.active).toBe(false);
    expect((await trainer.advance(10)).size).toBe(0);
    expect(trainer.progress()).toEqual(progress);
    // Wall time accumulates per run.
    expect(progress.every((p) => p.wallMs > 0)).toBe(true);
    trainer.dispose();
  });

  it('a schedule sets each row’s learning rate; a budget that is not a multiple of evalEvery still evaluates at its end', async () => {
    const s = spec({
      ...SMALL,
      evalEvery: 4,
      budgetSteps: 10,
      lrSchedule: { kind: 'warmup-cosine', warmupSteps: 2, finalFactor: 0 },
      runs: [{ id: 'r', batchSize: 4, learningRate: 0.2 }],
    });
    const trainer = new Trainer(s, { groupRuns: false });
    const rows = (await train(trainer, 3)).get('r')!;
    expect(rows.filter((r) => r.evalLoss !== undefined).map((r) => r.step)).toEqual([4, 8, 10]);
    // Row `step` (1-based) used the factor of 0-based step − 1: warmup 0.5, 1, then cosine over 8 steps.
    const want = [0.5, 1, ...Array.from({ length: 8 }, (_, i) => 0.5 * (1 + Math.cos((Math.PI * i) / 8)))].map((f) => 0.2 * f);
    rows.forEach((r, i) => expect(r.lr).toBeCloseTo(want[i], 12));
    trainer.dispose();
  });
});

describe('divergence', () => {
  const base = {
    ...SMALL,
    task: { kind: 'teacher-student', output: 'regression' },
    budgetSteps: 50,
  } as const;
  const healthy = [
    { id: 'ok', batchSize: 16, learningRate: 0.05 },
    { id: 'ok32', batchSize: 32, learningRate: 0.05, seed: 2 },
  ];

  for (const groupRuns of [true, false]) {
    it(`a run with a huge learning rate diverges alone (groupRuns: ${groupRuns})`, async () => {
      const trainer = new Trainer(spec({ ...base, runs: [healthy[0], { id: 'boom', batchSize: 16, learningRate: 50 }, healthy[1]] }), {
        groupRuns,
      });
      const reference = new Trainer(spec({ ...base, runs: healthy }), { groupRuns });
      const rows = await train(trainer, 20);
      const want = await train(reference, 20);

      const boom = trainer.progress().find((p) => p.id === 'boom')!;
      expect(boom.status).toBe('diverged');
      expect(boom.reason).toMatch(/^loss became (Infinity|NaN|-Infinity) at step \d+$/);
      expect(boom.step).toBeGreaterThan(0);
      expect(boom.step).toBeLessThan(20);
      expect(boom.reason).toContain(`at step ${boom.step}`);
      const boomRows = rows.get('boom')!;
      expect(boomRows.map((r) => r.step)).toEqual(Array.from({ length: boom.step }, (_, i) => i + 1));
      expect(Number.isFinite(boomRows[boomRows.length - 1].trainLoss)).toBe(false);
      expect(boomRows.slice(0, -1).every((r) => Number.isFinite(r.trainLoss))).toBe(true);

      // The healthy runs' numbers are exactly those of a trainer that never had the diverging run.
      for (const { id } of healthy) {
        expect(rows.get(id), id).toEqual(want.get(id));
        expect(trainer.progress().find((p) => p.id === id)!.status).toBe('done');
      }
      // A diverged run stays where it stopped.
      expect(trainer.active).toBe(false);
      await trainer.advance(5);
      expect(trainer.progress().find((p) => p.id === 'boom')).toEqual(boom);
      await expect(trainer.runParams('boom')).rejects.toThrow(/boom/);
      trainer.dispose();
      reference.dispose();
    });
  }
});

describe('update() and reset()', () => {
  const runs = [
    { id: 'a', batchSize: 16, learningRate: 0.1 },
    { id: 'b', batchSize: 16, learningRate: 0.05, seed: 2 },
    { id: 'c', batchSize: 32, learningRate: 0.1 },
  ];
  const input = { ...SMALL, budgetSteps: 100, runs };

  it('editing one run restarts only it; removed runs are dropped; unchanged runs keep their numbers', async () => {
    const trainer = new Trainer(spec(input), { groupRuns: true });
    const untouched = new Trainer(spec(input), { groupRuns: true });
    await train(trainer, 20, 20);
    const wantA = await train(untouched, 30, 30);

    // Identical spec, or only the order of runs changed: nothing restarts.
    expect(trainer.update(spec(input))).toEqual([]);
    expect(trainer.update(spec({ ...input, runs: [runs[2], runs[0], runs[1]] }))).toEqual([]);
    expect(trainer.progress().map((p) => [p.id, p.step])).toEqual([
      ['c', 20],
      ['a', 20],
      ['b', 20],
    ]);

    const edited = spec({
      ...input,
      runs: [runs[0], { ...runs[1], learningRate: 0.2 }, { id: 'd', batchSize: 16, learningRate: 0.1, seed: 4 }],
    });
    expect(trainer.update(edited)).toEqual(['b', 'd']);
    const progress = trainer.progress();
    expect(progress.map((p) => [p.id, p.step, p.status])).toEqual([
      ['a', 20, 'running'],
      ['b', 0, 'running'],
      ['d', 0, 'running'],
    ]);
    expect(progress[1].trainLoss).toBeNull();
    await expect(trainer.runParams('c')).rejects.toThrow(/c/);

    const after = await train(trainer, 10, 10);
    expect(after.has('c')).toBe(false);
    // Run a continued exactly as if nothing had happened.
    expect(after.get('a')).toEqual(wantA.get('a')!.slice(20, 30));
    expectParamsClose(await trainer.runParams('a'), await untouched.runParams('a'), 'a', 0);
    // Run b restarted from scratch with its new learning rate: as a fresh trainer would train it.
    const fresh = new Trainer(spec({ ...input, runs: [{ ...runs[1], learningRate: 0.2 }] }), { groupRuns: true });
    const wantB = await train(fresh, 10, 10);
    expect(after.get('b')).toEqual(wantB.get('b'));
    expect(after.get('b')![0].step).toBe(1);
    expect(after.get('b')![0].lr).toBe(0.2);

    // A shared field (model width) restarts every run.
    const wider = spec({ ...input, model: { width: 24, depth: 2 }, runs: edited.runs });
    expect(trainer.update(wider)).toEqual(['a', 'b', 'd']);
    expect(trainer.progress().every((p) => p.step === 0 && p.status === 'running' && p.trainLoss === null)).toBe(true);
    expect((await trainer.runParams('a'))[0]).toHaveLength(16 * 24); // inputDim 16 × width 24
    // So does the optimizer, the task or the budget.
    expect(trainer.update(spec({ ...input, model: { width: 24, depth: 2 }, runs: edited.runs, optimizer: { kind: 'adam' } }))).toEqual(['a', 'b', 'd']);
    expect(trainer.update(spec({ ...input, budgetSteps: 99, runs: edited.runs }))).toEqual(['a', 'b', 'd']);
    expect(trainer.experiment.budgetSteps).toBe(99);

    [trainer, untouched, fresh].forEach((t) => t.dispose());
  });

  it('a finished run stays finished when another run is edited', async () => {
    const short = { ...input, budgetSteps: 12 };
    const trainer = new Trainer(spec(short), { groupRuns: true });
    await train(trainer, 12);
    expect(trainer.progress().every((p) => p.status === 'done')).toBe(true);
    expect(trainer.update(spec({ ...short, runs: [runs[0], { ...runs[1], batchSize: 8 }, runs[2]] }))).toEqual(['b']);
    expect(trainer.progress().map((p) => [p.id, p.status, p.step])).toEqual([
      ['a', 'done', 12],
      ['b', 'running', 0],
      ['c', 'done', 12],
    ]);
    const rows = await train(trainer, 5);
    expect([...rows.keys()]).toEqual(['b']);
    expect(rows.get('b')!.map((r) => r.samples)).toEqual(Array.from({ length: 12 }, (_, i) => (i + 1) * 8));
    trainer.dispose();
  });

  it('reset() returns every run to step 0 and replays the same numbers', async () => {
    const trainer = new Trainer(spec(input), { groupRuns: true });
    const first = await train(trainer, 15, 15);
    trainer.reset();
    expect(trainer.progress().map((p) => [p.step, p.samples, p.status, p.trainLoss, p.evalLoss])).toEqual(
      runs.map(() => [0, 0, 'running', null, null]),
    );
    const second = await train(trainer, 5, 15);
    expect(second).toEqual(first);
    trainer.dispose();
  });
});

describe('memory', () => {
  it('no tensor outlives dispose(), through training, edits, reads, divergence and reset', async () => {
    const before = tf.memory().numTensors;
    const s = spec({
      ...SMALL,
      optimizer: { kind: 'adam' },
      task: { kind: 'teacher-student', output: 'regression' },
      budgetSteps: 30,
      runs: [
        { id: 'a', batchSize: 8, learningRate: 0.01 },
        { id: 'b', batchSize: 8, learningRate: 0.02, seed: 2 },
        { id: 'boom', batchSize: 8, learningRate: 100 },
        { id: 'c', batchSize: 16, learningRate: 0.01 },
      ],
    });
    const trainer = new Trainer(s, { groupRuns: true });
    expect(tf.memory().numTensors).toBe(before); // nothing allocated until the first step
    expect((await trainer.advance(0)).size).toBe(0); // zero steps: no rows, no progress
    expect(trainer.progress().every((p) => p.step === 0)).toBe(true);
    await expect(trainer.runParams('nope')).rejects.toThrow(/nope/);
    await trainer.advance(7);
    const during = tf.memory().numTensors;
    await trainer.advance(7);
    // Steady state: a further chunk allocates nothing net (params + slots + probe sets only).
    expect(tf.memory().numTensors).toBeLessThanOrEqual(during);
    await trainer.runParams('a');
    trainer.update(spec({ ...s, runs: [s.runs[0], { ...s.runs[1], learningRate: 0.05 }, s.runs[3]] }));
    await trainer.advance(5);
    trainer.update(spec({ ...s, model: { width: 8, depth: 1 } }));
    await trainer.advance(30);
    trainer.reset();
    await trainer.advance(3);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // A disposed trainer holds nothing and trains nothing.
    expect(trainer.active).toBe(false);
    expect((await trainer.advance(1)).size).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
