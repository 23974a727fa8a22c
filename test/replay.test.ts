/**
 * Self-healing training (ui/training/pool.ts): a worker lost mid-run is replaced by one that restores its
 * runs from their last checkpoint and trains again the steps since; the rows the page already holds are
 * dropped (Replay). The page then holds every step exactly once, equal to an uninterrupted run's, on the
 * cpu backend — through a fork that started between the checkpoint and the failure, and a comparison level.
 */
import { describe, expect, it } from 'vitest';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import type { LadderPoint } from '../src/engine/ladder';
import { ExperimentSpec } from '../src/spec/schema';
import { Replay, checkpointShare, combineCheckpoints } from '../src/ui/training/shares';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const SPEC = ExperimentSpec.parse({
  model: { width: 12, depth: 2 },
  optimizer: { kind: 'adam' },
  probeSize: 32,
  evalEvery: 5,
  budgetSteps: 60,
  comparisons: [{ a: 'a', b: 'b', level: 1.08 }],
  runs: [
    { id: 'a', batchSize: 8, learningRate: 0.01 },
    { id: 'b', batchSize: 16, learningRate: 0.02, seed: 2 },
    { id: 'a-fork', batchSize: 32, learningRate: 0.005, fork: { parent: 'a', atStep: 26 } },
  ],
});

type Page = { rows: Record<string, Omit<MetricRow, 'wallMs'>[]>; ladder: Record<string, LadderPoint[]> };

/** What the page does with a worker's report: append rows and ladder points per run. */
function append(page: Page, rows: Record<string, MetricRow[]>, ladder: Record<string, LadderPoint[]>): void {
  for (const [id, list] of Object.entries(rows)) (page.rows[id] ??= []).push(...list.map(({ wallMs: _w, ...r }) => r));
  for (const [id, list] of Object.entries(ladder)) (page.ladder[id] ??= []).push(...list);
}

async function chunk(trainer: Trainer, steps: number): Promise<[Record<string, MetricRow[]>, Record<string, LadderPoint[]>]> {
  const rows = Object.fromEntries(await trainer.advance(steps));
  return [rows, Object.fromEntries(trainer.drainLadder())];
}

describe('recovery: restore from the last checkpoint, replay, drop what the page holds', () => {
  it('leaves the page with every row once, equal to an uninterrupted run', async () => {
    const reference: Page = { rows: {}, ladder: {} };
    const straight = new Trainer(SPEC, { groupRuns: false });
    while (straight.active) append(reference, ...(await chunk(straight, 9)));
    straight.dispose();

    // The lost worker: trains, posts a checkpoint at step 18, trains on past step 26 (where the fork starts), dies.
    const page: Page = { rows: {}, ladder: {} };
    const lost = new Trainer(SPEC, { groupRuns: false });
    append(page, ...(await chunk(lost, 18)));
    // The page stores one checkpoint of the whole experiment and a replacement restores its share of it.
    const stored = structuredClone(combineCheckpoints(SPEC, [await lost.checkpoint()]));
    append(page, ...(await chunk(lost, 9)));
    append(page, ...(await chunk(lost, 9)));
    lost.dispose();
    const held = new Map(Object.entries(page.rows).map(([id, rows]) => [id, rows[rows.length - 1].step]));
    expect(held.get('a')).toBeGreaterThan(30);
    expect(held.get('a-fork')).toBeGreaterThan(26); // the fork started after the checkpoint

    const share = checkpointShare(stored, new Set(SPEC.runs.map((r) => r.id)));
    const fresh = new Trainer(share.spec, { groupRuns: false });
    fresh.restore(share);
    const replay = new Replay(held);
    while (fresh.active) {
      const [rows, ladder] = await chunk(fresh, 4);
      append(page, replay.rows(rows), replay.ladder(ladder));
    }
    expect(SPEC.runs.every((r) => replay.caughtUp(r.id, fresh.progress().find((p) => p.id === r.id)!.step, false))).toBe(true);
    fresh.dispose();

    for (const run of SPEC.runs) {
      const steps = page.rows[run.id].map((r) => r.step);
      const first = (run.fork?.atStep ?? 0) + 1;
      expect(steps, run.id).toEqual(Array.from({ length: SPEC.budgetSteps - first + 1 }, (_, i) => first + i)); // no gap, no duplicate
    }
    expect(page.rows).toEqual(reference.rows);
    expect(page.ladder).toEqual(reference.ladder);
  });

  it('drops ladder points and rows at or before the held step only', () => {
    const replay = new Replay(new Map([['a', 10]]));
    const row = (step: number) => ({ step }) as MetricRow;
    expect(replay.rows({ a: [row(9), row(10), row(11)], b: [row(1)] })).toEqual({ a: [row(11)], b: [row(1)] });
    const point = (step: number) => ({ step }) as LadderPoint;
    expect(replay.ladder({ a: [point(10)], b: [point(3)] })).toEqual({ b: [point(3)] });
    expect(replay.caughtUp('a', 9, false)).toBe(false);
    expect(replay.caughtUp('a', 9, true)).toBe(true);
  });
});
