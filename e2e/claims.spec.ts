import { expect, test } from './fixtures';
import { linkUrl } from '../src/spec/link';
import { ExperimentSpec } from '../src/spec/schema';
import { ViewSpec } from '../src/spec/view';
import { SMALL_SPEC, row, watchForFailures } from './helpers';

test.use({ viewport: { width: 1400, height: 1000 } });

/** Two batch sizes × two seeds: two seed groups. */
const SPEC = ExperimentSpec.parse({
  ...SMALL_SPEC,
  budgetSteps: 300,
  runs: [
    { id: 'b4', batchSize: 4, learningRate: 0.1 },
    { id: 'b4-s2', batchSize: 4, learningRate: 0.1, seed: 2 },
    { id: 'b32', batchSize: 32, learningRate: 0.1 },
    { id: 'b32-s2', batchSize: 32, learningRate: 0.1, seed: 2 },
  ],
});

test('seed groups: mean with a band, members faint or hidden, collapsed in the table; colour by noise; a live verdict', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(linkUrl('/?backend=wasm', { spec: SPEC, view: ViewSpec.parse({ groups: 'std' }), autorun: true }));
  for (const id of ['b4', 'b32']) await expect(page.getByTestId(`group-row-${id}`)).toBeVisible();
  await expect(row(page, 'b4-s2')).toHaveCount(0); // collapsed into its group's row
  const chart = page.getByTestId('chart-evalLoss');
  for (const key of ['b4 (mean of 2)', 'b32 (mean of 2)']) {
    await expect(chart.locator(`path[data-group="${key}"]`)).toHaveAttribute('d', /L/, { timeout: 60_000 });
    await expect(chart.locator(`path[data-band="${key}"]`)).toHaveAttribute('d', /Z/);
  }
  // Members drawn faint, in their group's colour; seed twins share it, the batch sizes differ.
  const member = chart.locator('path[data-run="b4-s2"]');
  await expect(member).toHaveAttribute('stroke-opacity', '0.3');
  const color = (id: string) => chart.locator(`path[data-run="${id}"]`).getAttribute('stroke');
  expect(await color('b4')).toBe(await color('b4-s2'));
  expect(await color('b4')).not.toBe(await color('b32'));
  await expect(chart.locator('.chart-caption')).toContainText('mean ± std across seeds');

  // The group row shows mean ± std; opened, its members are back.
  await expect(page.getByTestId('group-row-b4').getByTestId('group-eval-loss')).toHaveText(/^[\d.]+ ± [\d.]+$/, { timeout: 30_000 });
  await page.getByTestId('group-row-b4').getByTestId('group-open').click();
  await expect(row(page, 'b4-s2')).toBeVisible();

  // Hidden members: only the groups' means remain; the 95 % CI mode says so.
  await page.getByTestId('group-members').uncheck();
  await expect(member).toHaveCount(0);
  await page.getByTestId('group-mode').selectOption('ci');
  await expect(chart.locator('.chart-caption')).toContainText('mean with its 95 % interval');

  // The verdict on the groups' means, in words, updated as they train.
  const verdict = page.getByTestId('verdict-batch-order');
  await expect(verdict).toHaveText(/larger batch lower at \d+ % of evaluated steps \((\d+) of (\d+)\): (holds|mostly holds|does not hold)/, { timeout: 60_000 });
  await expect(verdict).toHaveAttribute('data-status', /holds|mostly|fails/);

  // Off again: every run alone, no group curves.
  await page.getByTestId('group-mode').selectOption('off');
  await expect(chart.locator('path[data-group]')).toHaveCount(0);
  await expect(row(page, 'b4-s2')).toBeVisible();
  // Each run's B_simple carries its 95 % interval as a band where resolved, and marks where it is not.
  const noise = page.getByTestId('chart-noiseScale');
  for (const id of SPEC.runs.map((r) => r.id)) {
    await expect
      .poll(async () => ((await noise.locator(`path[data-band="${id}"]`).getAttribute('d')) ?? '').includes('Z') || (await noise.locator(`path[data-unresolved="${id}"]`).count()) > 0)
      .toBe(true);
  }
  expect(await failures()).toEqual([]);
});

test('the sweep helper’s seed count makes seed groups', async ({ page }) => {
  await page.goto(linkUrl('/', { spec: ExperimentSpec.parse(SMALL_SPEC), view: ViewSpec.parse({ groups: 'std' }), autorun: false }));
  await page.getByText('Sweep: batch sizes × learning rates × seeds').click();
  await page.getByTestId('sweep-batches').fill('16, 64');
  await page.getByTestId('sweep-seed-count').fill('3');
  await expect(page.getByTestId('sweep-seeds')).toHaveValue('1, 2, 3');
  await page.getByRole('button', { name: 'Replace runs with this grid (6 runs)' }).click();
  await page.getByTestId('apply').click();
  for (const id of ['b16-s1', 'b64-s1']) await expect(page.getByTestId(`group-row-${id}`)).toContainText('group of 3 seeds');
  await expect(row(page, 'b16-s2')).toHaveCount(0);
});
