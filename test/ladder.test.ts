/**
 * The loss ladder: levels from the task, crossings recorded at the first evaluation at or below each level,
 * the recorded outputs are the model's at that step, "now" snapshots, comparisons and their seed baseline.
 */
import { describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { compare, distanceByLevel, findTwin, twinRun } from '../src/engine/compare';
import { ladderBytes, ladderExamples, ladderLevels, newlyReached, MAX_OUTPUT_FLOATS } from '../src/engine/ladder';
import { createModel } from '../src/engine/models';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { ExperimentSpec, validateSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const small = (input: ExperimentSpecInput = {}) =>
  ExperimentSpec.parse({ model: { width: 16, depth: 1 }, probeSize: 64, evalEvery: 5, budgetSteps: 200, ...input });

describe('ladder levels', () => {
  const spec = ExperimentSpec.parse({});
  it('are geometric from the chance loss down to just above the floor, highest first', () => {
    const levels = ladderLevels(spec, Math.log(4), 0.5);
    expect(levels).toHaveLength(12);
    expect(levels[0]).toBeCloseTo(Math.log(4), 12);
    expect(levels[11]).toBeCloseTo(0.5 + 0.1 * (Math.log(4) - 0.5), 12);
    const ratios = levels.slice(1).map((l, i) => l / levels[i]);
    for (const r of ratios) expect(r).toBeCloseTo(ratios[0], 10);
  });
  it('take top, bottom and count from the spec, and add numeric comparison levels', () => {
    const custom = ExperimentSpec.parse({ ladder: { levels: 3, top: 1, bottom: 0.25 }, comparisons: [{ a: 'b8', b: 'b32', level: 0.4 }] });
    expect(ladderLevels(custom, 9, null)).toEqual([1, 0.5, 0.4, 0.25]);
    expect(ladderLevels(spec, 2, null).at(-1)).toBeCloseTo(0.2, 12); // no floor: top / 10
  });
  it('report only levels newly reached', () => {
    expect(newlyReached([1, 0.5, 0.25], new Set([1]), 0.4)).toEqual([0.5]);
    expect(newlyReached([1, 0.5, 0.25], new Set(), 2)).toEqual([]);
  });
  it('bound the outputs kept per point', () => {
    expect(ladderExamples(1024, 4)).toBe(1024);
    expect(ladderExamples(1024, 4096) * 4096).toBeLessThanOrEqual(MAX_OUTPUT_FLOATS);
  });
  it('bad ladder and comparison specs get clear messages', () => {
    const bad = (input: ExperimentSpecInput) => (validateSpec(input) as { ok: false; issues: { path: string; message: string }[] }).issues;
    expect(bad({ ladder: { top: 1, bottom: 2 } })).toEqual([{ path: 'ladder.bottom', message: 'The ladder bottom must be below its top' }]);
    expect(bad({ comparisons: [{ a: 'b8', b: 'b8' }] })[0].message).toMatch(/cannot be compared with itself/);
    expect(bad({ comparisons: [{ a: 'b8', b: 'nope' }] })[0]).toEqual({ path: 'comparisons.0.b', message: 'There is no run "nope" to compare' });
    expect(bad({ comparisons: [{ a: 'b8', b: 'b32', level: -1 }] })[0].path).toBe('comparisons.0.level');
  });
});

describe('recording', () => {
  it('records each level at the first evaluation at or below it, with the model’s outputs at that step', async () => {
    const spec = small({ runs: [{ id: 'a', batchSize: 16, learningRate: 0.3 }], ladder: { levels: 6 } });
    const trainer = new Trainer(spec, { groupRuns: false });
    const rows: MetricRow[] = [];
    const model = createModel(spec.model, { inputDim: 16, outputDim: 4 });
    const probe = trainer.probeInfo();
    let checked = 0;
    while (trainer.active) {
      rows.push(...(await trainer.advance(1)).get('a')!);
      const fresh = trainer.drainLadder().get('a') ?? [];
      if (!fresh.length || !trainer.active) continue;
      // The point was recorded at this step: its outputs must be those of the current parameters.
      const params = (await trainer.runParams('a')).map((v, i) => tf.tensor3d(v, [1, ...model.paramShapes()[i]] as [number, number, number]));
      const x = tf.tensor3d(probe.x, [1, probe.examples, 16]);
      const expected = tf.tidy(() => model.forward(params, x).dataSync());
      tf.dispose([...params, x]);
      for (const point of fresh) {
        expect(point.step).toBe(rows.at(-1)!.step);
        expect(point.outputs.length).toBe(probe.examples * 4);
        expect(Math.max(...point.outputs.map((v, i) => Math.abs(v - expected[i])))).toBeLessThan(1e-5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
    const ladder = trainer.ladder('a');
    const evals = rows.filter((r) => r.evalLoss !== undefined);
    for (const point of ladder) {
      const first = evals.find((r) => r.evalLoss! <= point.level)!;
      expect([point.step, point.samples, point.evalLoss]).toEqual([first.step, first.samples, first.evalLoss]);
    }
    // Every level the run got below is recorded, and none it never reached.
    const best = Math.min(...evals.map((r) => r.evalLoss!));
    expect(ladder.map((p) => p.level)).toEqual(probe.levels.filter((l) => l >= best));
    expect(ladderBytes(ladder)).toBeGreaterThan(0);
    trainer.dispose();
  });

  it('records the same points whether runs are grouped or not, and a fork inherits its parent’s', async () => {
    const input: ExperimentSpecInput = {
      runs: [
        { id: 'a', batchSize: 16, learningRate: 0.3 },
        { id: 'b', batchSize: 16, learningRate: 0.1 },
        { id: 'f', batchSize: 64, learningRate: 0.3, fork: { parent: 'a', atStep: 100 } },
      ],
    };
    const ladders = [];
    for (const groupRuns of [false, true]) {
      const trainer = new Trainer(small(input), { groupRuns });
      while (trainer.active) await trainer.advance(7);
      ladders.push(['a', 'b', 'f'].map((id) => trainer.ladder(id).map(({ level, step, samples }) => ({ level, step, samples }))));
      const a = trainer.ladder('a');
      const f = trainer.ladder('f');
      const before = a.filter((p) => p.step <= 100);
      expect(f.slice(0, before.length)).toEqual(before);
      trainer.dispose();
    }
    for (let i = 0; i < 3; i++) expect(ladders[1][i], ['a', 'b', 'f'][i]).toEqual(ladders[0][i]);
  });

  it('2-D tasks record the decision-map grid with each point', async () => {
    const trainer = new Trainer(small({ task: { kind: 'toy2d' }, budgetSteps: 60, runs: [{ id: 'a', batchSize: 16, learningRate: 0.5 }] }), { groupRuns: false });
    while (trainer.active) await trainer.advance(20);
    const { grid } = trainer.probeInfo();
    expect(grid).not.toBeNull();
    const point = trainer.ladder('a')[0];
    expect(point.grid!.length).toBe(grid!.size ** 2 * 2);
    trainer.dispose();
  });
});

describe('snapshot now', () => {
  it('records the run further down at once, at its current loss, and the other when it gets there', async () => {
    const trainer = new Trainer(small({ runs: [{ id: 'fast', batchSize: 64, learningRate: 0.3 }, { id: 'slow', batchSize: 8, learningRate: 0.05 }] }), { groupRuns: false });
    await trainer.advance(40);
    await expect(trainer.snapshotNow('fast', 'fast')).rejects.toThrow(/itself/);
    await expect(trainer.snapshotNow('fast', 'nope')).rejects.toThrow(/no run "nope"/);
    const losses = Object.fromEntries(trainer.progress().map((p) => [p.id, p.evalLoss!]));
    expect(losses.fast).toBeLessThan(losses.slow);
    const spec = await trainer.snapshotNow('fast', 'slow');
    const level = spec.comparisons[0].level as number;
    expect(spec.comparisons).toEqual([{ a: 'fast', b: 'slow', level }]);
    const point = trainer.ladder('fast').find((p) => p.level === level)!;
    expect(point.step).toBe(40);
    expect(trainer.probeInfo().levels).toContain(level);
    while (trainer.active) await trainer.advance(50);
    const slow = trainer.ladder('slow').find((p) => p.level === level);
    if (slow) expect(slow.evalLoss).toBeLessThanOrEqual(level);
    trainer.dispose();
  });
});

describe('comparisons', () => {
  const input: ExperimentSpecInput = {
    runs: [
      { id: 'small', batchSize: 8, learningRate: 0.2 },
      { id: 'large', batchSize: 64, learningRate: 0.2 },
      { id: 'large-s2', batchSize: 64, learningRate: 0.2, seed: 2 },
    ],
    comparisons: [{ a: 'small', b: 'large' }],
  };

  it('compare at the lowest shared level, with the seed twin as the baseline', async () => {
    const spec = small(input);
    const trainer = new Trainer(spec, { groupRuns: false });
    while (trainer.active) await trainer.advance(50);
    const probe = trainer.probeInfo();
    const ladders = new Map(spec.runs.map((r) => [r.id, trainer.ladder(r.id)]));
    const inputs = { spec, ladders, shape: probe.shape };
    const result = compare(spec.comparisons[0], inputs);
    if (!result.ok) throw new Error(result.error);
    const { level, a, b, distance, baseline } = result.comparison;
    const shared = ladders.get('small')!.map((p) => p.level).filter((l) => ladders.get('large')!.some((p) => p.level === l));
    expect(level).toBe(Math.min(...shared));
    expect([a.level, b.level]).toEqual([level, level]);
    expect(distance.kind).toBe('classification');
    const twinReached = new Set(ladders.get('large-s2')!.map((p) => p.level));
    expect(baseline === null).toBe(!twinReached.has(level));
    // At a level all three reached, the baseline is the twin's distance from the run it twins.
    const common = Math.min(...shared.filter((l) => twinReached.has(l)));
    const atCommon = compare({ ...spec.comparisons[0], level: common }, inputs);
    expect(atCommon.ok && atCommon.comparison.baseline).toMatchObject({ of: 'large', twin: 'large-s2' });
    const series = distanceByLevel(spec.comparisons[0], inputs);
    expect(series.map((s) => s.level)).toEqual([...shared].sort((x, y) => y - x));
    trainer.dispose();
  });

  it('say clearly why a comparison cannot be made', () => {
    const spec = small(input);
    const ladders = new Map([['small', []], ['large', []]]);
    const shape = { loss: 'xent' as const, classes: 4, positions: 1 };
    const error = (c: Parameters<typeof compare>[0]) => {
      const r = compare(c, { spec, ladders, shape });
      return r.ok ? 'ok' : r.error;
    };
    expect(error({ a: 'small', b: 'small', level: 'lowest' })).toMatch(/cannot be compared with itself/);
    expect(error({ a: 'small', b: 'ghost', level: 'lowest' })).toMatch(/no run "ghost"/);
    expect(error({ a: 'small', b: 'large', level: 'lowest' })).toMatch(/not both reached any level/);
    expect(error({ a: 'small', b: 'large', level: 0.5 })).toMatch(/small and large have not reached the held-out loss 0.500/);
    const point = (n: number) => ({ level: 0.5, step: 1, samples: 1, evalLoss: 0.5, outputs: new Float32Array(n) });
    const mismatched = new Map([['small', [point(8)]], ['large', [point(12)]]]);
    const r = compare({ a: 'small', b: 'large', level: 0.5 }, { spec, ladders: mismatched, shape });
    expect(r.ok ? 'ok' : r.error).toMatch(/do not compute the same kind of function/);
  });

  it('find and make seed twins', () => {
    const spec = small(input);
    expect(findTwin(spec, 'large')?.id).toBe('large-s2');
    expect(findTwin(spec, 'small')).toBeUndefined();
    const twin = twinRun(spec, 'small');
    expect(twin).toEqual({ id: 'small-s3', batchSize: 8, learningRate: 0.2, seed: 3 });
    const withTwin = small({ ...input, runs: [...input.runs!, twin] });
    expect(findTwin(withTwin, 'small')?.id).toBe('small-s3');
    const forked = small({ runs: [{ id: 'p', batchSize: 8, learningRate: 0.1 }, { id: 'f', batchSize: 8, learningRate: 0.1, fork: { parent: 'p', atStep: 5 } }] });
    expect(() => twinRun(forked, 'f')).toThrow(/is a fork/);
  });
});
