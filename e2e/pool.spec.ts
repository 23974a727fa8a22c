/**
 * The page's pool of training workers and its supervisor, end to end (wasm): two workers train every run
 * to the same numbers as one; a worker that hangs or throws mid-run is replaced within 10 s and the page
 * ends with every step exactly once, equal to an uninterrupted run; recovery that keeps failing stops and
 * offers an export. Everything waits on conditions read from state the page exposes (window.sgdLab).
 */
import { expect, test, type Page } from '@playwright/test';
import type { MetricRow } from '../src/engine/trainer';
import type { ExperimentSpecInput } from '../src/spec/schema';
import { experimentPath, watchForFailures } from './helpers';

const BUDGET = 400;
const SPEC: ExperimentSpecInput = {
  task: { kind: 'teacher-student', inputDim: 8, teacherWidth: 8, classes: 3 },
  model: { width: 16, depth: 1 },
  budgetSteps: BUDGET,
  evalEvery: 10,
  probeSize: 64,
  runs: [
    { id: 'b4', batchSize: 4, learningRate: 0.1 },
    { id: 'b16', batchSize: 16, learningRate: 0.1, seed: 2 },
    { id: 'b64', batchSize: 64, learningRate: 0.1, seed: 3 },
    { id: 'b4-fork', batchSize: 32, learningRate: 0.05, fork: { parent: 'b4', atStep: 150 } },
  ],
};

interface Lab {
  metrics: () => Record<string, MetricRow[]>;
  workers: () => number;
  failWorker: (index: number, how: 'throw' | 'hang' | 'exit') => void;
  failReplacements: (how: 'throw' | 'hang' | 'exit' | null) => void;
}

type Rows = Record<string, Omit<MetricRow, 'wallMs'>[]>;

async function open(page: Page, workers: number): Promise<void> {
  await page.addInitScript((n) => localStorage.setItem('sgd-lab:workers', String(n)), workers);
  await page.goto(experimentPath(SPEC, true, '?backend=wasm'));
  await page.waitForFunction((n) => (window as unknown as { sgdLab?: Lab }).sgdLab?.workers() === n, workers);
  await expect(page.getByTestId('workers')).toHaveText(`${workers} ${workers === 1 ? 'worker' : 'workers'}`);
}

/** The last step of each run on the page. */
function lastSteps(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const metrics = (window as unknown as { sgdLab: Lab }).sgdLab.metrics();
    return Object.fromEntries(Object.entries(metrics).map(([id, rows]) => [id, rows.length ? rows[rows.length - 1].step : 0]));
  });
}

/** Waits until every run has its whole budget on the page, then reads every row (wall time aside). */
async function finishedRows(page: Page): Promise<Rows> {
  await expect.poll(async () => Object.values(await lastSteps(page)), { timeout: 90_000 }).toEqual([BUDGET, BUDGET, BUDGET, BUDGET]);
  return page.evaluate(() => {
    const metrics = (window as unknown as { sgdLab: Lab }).sgdLab.metrics();
    return Object.fromEntries(Object.entries(metrics).map(([id, rows]) => [id, rows.map(({ wallMs: _w, ...row }) => row)]));
  });
}

function expectEveryStepOnce(rows: Rows): void {
  for (const run of SPEC.runs) {
    const first = (run.fork?.atStep ?? 0) + 1;
    expect(
      rows[run.id].map((r) => r.step),
      run.id,
    ).toEqual(Array.from({ length: BUDGET - first + 1 }, (_, i) => first + i));
  }
}

let reference: Rows;

test.describe.serial('a pool of training workers', () => {
  test('one worker trains the reference', async ({ page }) => {
    await open(page, 1);
    reference = await finishedRows(page);
    expectEveryStepOnce(reference);
  });

  test('two workers train every run to the same numbers as one', async ({ page }) => {
    const failures = watchForFailures(page);
    await open(page, 2);
    const rows = await finishedRows(page);
    expect(rows).toEqual(reference);
    expect(await failures()).toEqual([]);
  });

  test('a worker that hangs, then one that throws, is replaced within 10 s and no row is lost, duplicated or changed', async ({ page }) => {
    await open(page, 2);
    // Worker 2 trains b4, its fork and b16 (partition.ts: b64 alone is as much work), so it is the one
    // still training when the others are done.
    for (const [i, how] of [
      [1, 'hang'],
      [1, 'throw'],
    ] as const) {
      const notices = page.getByTestId('recovery-notice');
      const before = await notices.count();
      await expect.poll(async () => Math.min(...Object.values(await lastSteps(page))), { timeout: 60_000 }).toBeGreaterThan(60 + 100 * before);
      const failedAt = Date.now();
      await page.evaluate(([index, kind]) => (window as unknown as { sgdLab: Lab }).sgdLab.failWorker(index, kind), [i, how] as const);
      // Training goes on by itself: the replacement catches up and says what it recovered.
      await expect(notices).toHaveCount(before + 1, { timeout: 10_000 });
      expect(Date.now() - failedAt).toBeLessThan(10_000);
      await expect(notices.nth(before)).toContainText(/restored .* from (the checkpoint at step|step 0).* no metric row was lost/);
      if (how === 'hang') await expect(notices.nth(before)).toContainText('stopped answering');
    }
    const rows = await finishedRows(page);
    expectEveryStepOnce(rows);
    expect(rows).toEqual(reference);
  });

  test('recovery that fails three times in a row stops and offers an export', async ({ page }) => {
    await open(page, 1);
    await expect.poll(async () => Math.min(...Object.values(await lastSteps(page))), { timeout: 60_000 }).toBeGreaterThan(20);
    await page.evaluate(() => {
      const lab = (window as unknown as { sgdLab: Lab }).sgdLab;
      lab.failReplacements('throw');
      lab.failWorker(0, 'throw');
    });
    await expect(page.getByTestId('recovery-stopped')).toContainText('recovery failed three times in a row', { timeout: 30_000 });
    await expect(page.getByTestId('recovery-export')).toBeVisible();
    await expect(page.getByTestId('workers')).toHaveText('0 workers');
  });
});
