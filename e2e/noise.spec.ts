import { expect, test, type Page } from '@playwright/test';
import type { ExperimentSpecInput } from '../src/spec/schema';
import { SMALL_SPEC, experimentPath, row, waitForSteps, watchForFailures } from './helpers';

/**
 * Hovers a chart (data-testid `chart-<name>`) at a fraction of its plot width and returns every line of its
 * readout, "<key>: <value>", where a key is a run id or, for a dashed companion curve, "<runId> (train set)".
 */
async function readout(page: Page, name: string, fraction: number): Promise<Record<string, number>> {
  const body = page.getByTestId(`chart-${name}`).locator('.chart-body');
  // Below the fold the mouse cannot reach it. (scrollIntoViewIfNeeded waits for the box to hold still over two
  // animation frames, which a page redrawing its charts may not give it for a while.)
  await body.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const box = await body.boundingBox();
  if (!box) return {};
  const plotLeft = 4 + 58; // MetricChart's MARGIN.left + Y_AXIS_WIDTH
  const plotWidth = box.width - plotLeft - 20;
  await page.mouse.move(box.x + plotLeft + fraction * plotWidth, box.y + box.height / 2);
  const values: Record<string, number> = {};
  const box2 = body.locator('.chart-readout');
  if (!(await box2.isVisible())) return values;
  for (const line of await box2.locator('div').allInnerTexts()) {
    const match = /^\s*([\w-]+(?: \([\w ]+\))?): ([\d.e+-]+)(?: \[[^\]]*\])?$/.exec(line); // B_simple's interval may follow
    if (match) values[match[1]] = Number(match[2]);
    // Where B_simple's |G|² is not resolved the readout says so instead of a number: NaN here.
    const unresolved = /^\s*([\w-]+): Bsimple ≫ B here: not resolved$/.exec(line);
    if (unresolved) values[unresolved[1]] = NaN;
  }
  return values;
}

const NOISE_CHARTS = ['gradNorm', 'temperature', 'noiseScale', 'noiseRatio'];

test.use({ viewport: { width: 1400, height: 1000 } });

test('every noise chart reads a finite value, or for B_simple "not resolved", for every run of the default experiment', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto('/');
  const ids = ['b8', 'b32', 'b128', 'b512'];
  for (const id of ids) await expect(row(page, id)).toBeVisible();
  await waitForSteps(page, 'b512', 40, 30_000);
  for (const name of NOISE_CHARTS) {
    await expect(page.getByTestId(`chart-${name}`)).toBeVisible();
    await expect
      .poll(
        async () => {
          const values = await readout(page, name, 0.95);
          // On this task B_simple is far above every B after the first steps: "not resolved" is the answer there.
          const unresolvedOk = name === 'noiseScale' || name === 'noiseRatio';
          return ids.filter((id) => (Number.isFinite(values[id]) && values[id] > 0) || (unresolvedOk && Number.isNaN(values[id])));
        },
        { message: `${name}: a positive, finite value for every run`, timeout: 20_000 },
      )
      .toEqual(ids);
  }
  // The temperature is exact: η/B for each run.
  const temperature = await readout(page, 'temperature', 0.5);
  expect(temperature.b8).toBeCloseTo(0.1 / 8, 6);
  expect(temperature.b512).toBeCloseTo(0.1 / 512, 6);
  // B_simple / B is B_simple over each run's batch size (paused, so both charts hold the same rows).
  await page.getByTestId('pause').click();
  await expect(row(page, 'b32')).toHaveAttribute('data-status', 'paused');
  // Charts catch up with the last rows on their own clock: poll until both show the same ones.
  await expect
    .poll(async () => {
      // Early in training (the first buckets), where B_simple is resolved for most runs.
      const [scale, ratio] = [await readout(page, 'noiseScale', 0.02), await readout(page, 'noiseRatio', 0.02)];
      const both = ([['b8', 8], ['b32', 32], ['b128', 128], ['b512', 512]] as const).filter(([id]) => Number.isFinite(scale[id]) && Number.isFinite(ratio[id]));
      return both.length >= 2 ? Math.max(...both.map(([id, b]) => Math.abs(ratio[id] / (scale[id] / b) - 1))) : Infinity;
    })
    .toBeLessThan(2e-3);
  expect(await failures()).toEqual([]);
});

test('offline, the held-out chart shows the training-set loss below the held-out loss, and marks epochs', async ({ page }) => {
  const spec: ExperimentSpecInput = { ...SMALL_SPEC, regime: { kind: 'offline', trainSize: 256 }, budgetSteps: 400, evalEvery: 10 };
  await page.goto(experimentPath(spec, true));
  for (const id of ['small', 'large']) await expect(row(page, id)).toHaveAttribute('data-status', 'done', { timeout: 25_000 });
  const chart = page.getByTestId('chart-evalLoss');
  await expect(chart.locator('.chart-caption')).toContainText('training set');
  await expect(chart.locator('.chart-caption')).toContainText('epoch = 256 samples');
  await expect(chart.locator('path[data-run="small (train set)"]')).toHaveAttribute('stroke-dasharray', /\d/);
  await expect.poll(() => chart.locator('line.epoch-mark').count()).toBeGreaterThan(2);
  expect(await chart.locator('line.epoch-mark').count()).toBeLessThanOrEqual(30);

  // At the end (polled: the chart catches up with the last rows on its own clock).
  await expect
    .poll(async () => {
      const end = await readout(page, 'evalLoss', 1.0);
      return ['small', 'large'].filter((id) => end[id] > 0 && end[`${id} (train set)`] < end[id]);
    }, { message: 'training-set loss below held-out loss for both runs' })
    .toEqual(['small', 'large']);
  // Samples axis: one grey mark per epoch (every multiple of 256 samples: 12,800 / 256 = 50, thinned to every 2nd).
  await page.getByTestId('x-axis').selectOption('samples');
  await expect(chart.locator('.chart-caption')).toContainText('epoch = 256 samples (every 2nd marked)');
  await expect(chart.locator('line.epoch-mark')).toHaveCount(25);
});

test('steps vs samples: a batch sweep past the target gives B_crit beside the measured B_simple', async ({ page }) => {
  const spec: ExperimentSpecInput = {
    budgetSteps: 300,
    evalEvery: 10,
    probeSize: 256,
    runs: [4, 16, 64, 256].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.1 })),
  };
  await page.goto(experimentPath(spec, true, '?backend=wasm'));
  const panel = page.getByTestId('steps-samples');
  const target = panel.getByTestId('target-loss');
  await target.fill('abc');
  await expect(panel.getByTestId('target-error')).toHaveText('"abc" is not a number');
  await target.fill('0');
  await expect(panel.getByTestId('target-error')).toHaveText('The target loss must be greater than 0');
  await target.fill('0.95');
  await expect(panel.getByTestId('target-error')).toHaveCount(0);

  for (const id of ['b4', 'b16', 'b64', 'b256']) await expect(row(page, id)).toHaveAttribute('data-status', 'done', { timeout: 25_000 });
  await expect(panel.locator('[data-testid=target-table] tbody tr')).toHaveCount(4);
  const number = async (testId: string) => Number((await panel.getByTestId(testId).innerText()).replace(/,/g, ''));
  expect(await number('b-crit')).toBeGreaterThan(0);
  expect(await number('b-simple')).toBeGreaterThan(0);
  await expect(panel.getByTestId('fit-steps').locator('circle')).toHaveCount(4);

  // A target no run reached: the runs are listed as such, and there is no fit.
  await target.fill('0.001');
  await expect(panel.getByTestId('target-unreached')).toContainText('b4 (B = 4, best');
  await expect(panel.getByTestId('fit-message')).toContainText('at least 2 distinct batch sizes');
  await expect(panel.getByTestId('b-crit')).toHaveCount(0);
});

test('a fork\'s curves start from its parent\'s point', async ({ page }) => {
  const spec: ExperimentSpecInput = {
    ...SMALL_SPEC,
    budgetSteps: 100,
    runs: [
      { id: 'small', batchSize: 4, learningRate: 0.1 },
      { id: 'calm', batchSize: 32, learningRate: 0.1, fork: { parent: 'small', atStep: 50 } },
    ],
  };
  await page.goto(experimentPath(spec, true));
  for (const id of ['small', 'calm']) await expect(row(page, id)).toHaveAttribute('data-status', 'done', { timeout: 25_000 });
  // Before the branch, the fork's nearest point is its parent's at step 50 (η/B = 0.1/4); after it, its own (0.1/32).
  await expect.poll(async () => (await readout(page, 'temperature', 0.25)).calm).toBeCloseTo(0.1 / 4, 6);
  expect((await readout(page, 'temperature', 0.25)).small).toBeCloseTo(0.1 / 4, 6);
  expect((await readout(page, 'temperature', 0.9)).calm).toBeCloseTo(0.1 / 32, 6);
});
