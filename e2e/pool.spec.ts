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

/** Long enough that the worker told to fail is still training when it is told (a hang costs 5 s). */
const BUDGET = 1200;
const RUNS = [
  { id: 'b4', batchSize: 4, learningRate: 0.1 },
  { id: 'b16', batchSize: 16, learningRate: 0.1, seed: 2 },
  { id: 'b64', batchSize: 64, learningRate: 0.1, seed: 3 },
  { id: 'b4-fork', batchSize: 32, learningRate: 0.05, fork: { parent: 'b4', atStep: 150 } },
];
const SPEC: ExperimentSpecInput = {
  task: { kind: 'teacher-student', inputDim: 8, teacherWidth: 8, classes: 3 },
  model: { width: 16, depth: 1 },
  budgetSteps: BUDGET,
  evalEvery: 10,
  probeSize: 64,
  runs: RUNS,
};

interface Lab {
  metrics: () => Record<string, MetricRow[]>;
  workers: () => number;
  failWorker: (index: number, how: 'throw' | 'hang' | 'exit') => void;
  failReplacements: (how: 'throw' | 'hang' | 'exit' | null) => void;
  recoveries: () => { reason: string; failedAt: number; resumedAt: number | null }[];
  now: () => number;
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

/** The step of the run furthest behind (0 until every run has reported). */
async function leastStep(page: Page): Promise<number> {
  const steps = Object.values(await lastSteps(page));
  return steps.length ? Math.min(...steps) : 0;
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
  for (const run of RUNS) {
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

  test('the pool resized mid-run moves the runs through their checkpoints, and they end as the reference', async ({ page }) => {
    await open(page, 1);
    await expect.poll(async () => leastStep(page), { timeout: 60_000 }).toBeGreaterThan(100);
    await page.getByLabel('Workers').fill('2');
    await page.waitForFunction(() => (window as unknown as { sgdLab: Lab }).sgdLab.workers() === 2);
    await expect(page.getByTestId('workers')).toHaveText('2 workers');
    const rows = await finishedRows(page);
    expectEveryStepOnce(rows);
    expect(rows).toEqual(reference);
    expect(await page.evaluate(() => localStorage.getItem('sgd-lab:workers'))).toBe('2');
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
      await expect.poll(async () => leastStep(page), { timeout: 60_000 }).toBeGreaterThan(60);
      const failedAt = await page.evaluate(([index, kind]) => {
        const lab = (window as unknown as { sgdLab: Lab }).sgdLab;
        lab.failWorker(index, kind);
        return lab.now();
      }, [i, how] as const);
      // Training goes on by itself, and the page says what it recovered.
      await expect(notices).toHaveCount(before + 1, { timeout: 30_000 });
      const recovery = await page.evaluate(() => (window as unknown as { sgdLab: Lab }).sgdLab.recoveries().at(-1)!);
      const ms = recovery.resumedAt! - failedAt;
      console.log(`recovery after a ${how}: training went on ${Math.round(ms)} ms after the failure`);
      expect(ms, 'ms from the failure to training again (page clock)').toBeLessThan(10_000);
      await expect(notices.nth(before)).toContainText(/restored .* from (the checkpoint at step|step 0).* no metric row is lost/);
      if (how === 'hang') await expect(notices.nth(before)).toContainText('stopped answering');
    }
    const rows = await finishedRows(page);
    expectEveryStepOnce(rows);
    expect(rows).toEqual(reference);
  });

  test('two workers: reopened after a reload, the saved experiment splits among them and ends as the reference', async ({ page }) => {
    await open(page, 2);
    await expect.poll(async () => leastStep(page), { timeout: 60_000 }).toBeGreaterThan(100);
    await page.getByTestId('pause').click();
    await expect(page).toHaveURL(/&s=/); // saved once every worker had posted a checkpoint
    await page.reload();
    await expect(page.getByTestId('notice')).toContainText('Restored');
    await page.getByTestId('play').click();
    const rows = await finishedRows(page);
    expectEveryStepOnce(rows);
    expect(rows).toEqual(reference);
  });

  test('snapshot now compares runs trained by different workers', async ({ page }) => {
    const failures = watchForFailures(page);
    await page.addInitScript(() => localStorage.setItem('sgd-lab:workers', '2'));
    await page.goto(experimentPath({ ...SPEC, budgetSteps: 100_000, runs: [RUNS[0], RUNS[2]] }, true, '?backend=wasm'));
    await expect(page.getByTestId('workers')).toHaveText('2 workers');
    await expect.poll(async () => leastStep(page), { timeout: 60_000 }).toBeGreaterThan(30);
    const compare = page.getByTestId('compare');
    await compare.getByLabel('Run A').selectOption('b4');
    await compare.getByLabel('Run B').selectOption('b64');
    await compare.getByLabel('Level').selectOption('now');
    await compare.getByRole('button', { name: 'Snapshot at equal loss' }).click();
    await expect(compare.getByRole('tab', { name: /b4 vs b64, loss [\d.]+/ })).toBeVisible();
    // Both reach the level: the one further down at once, the other (in the other worker) when it gets there.
    await expect(compare.getByTestId('compare-result')).toBeVisible({ timeout: 60_000 });
    expect(await failures()).toEqual([]);
  });

  test('recovery that fails three times in a row stops and offers an export', async ({ page }) => {
    await open(page, 1);
    await expect.poll(async () => leastStep(page), { timeout: 60_000 }).toBeGreaterThan(20);
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
