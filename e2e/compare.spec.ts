import type { Locator } from '@playwright/test';
import { expect, test } from './fixtures';
import { decodeLink } from '../src/spec/link';
import { experimentPath, row, waitForSteps, watchForFailures } from './helpers';

// Runs train to a few ladder levels before anything can be compared: slow on a busy 2-core machine.
test.describe.configure({ timeout: 180_000 });

/** Two noise levels and a seed twin on a 2-D task, small enough to reach several ladder levels quickly. */
const TOY = {
  task: { kind: 'toy2d' as const, dataset: 'circles' as const },
  model: { width: 16, depth: 1 },
  budgetSteps: 400,
  evalEvery: 10,
  probeSize: 256,
  runs: [
    { id: 'small', batchSize: 8, learningRate: 0.3 },
    { id: 'large', batchSize: 64, learningRate: 0.3 },
    { id: 'large-s2', batchSize: 64, learningRate: 0.3, seed: 2 },
  ],
};

async function number(locator: Locator): Promise<number> {
  return Number(await locator.innerText());
}

/** A canvas has been drawn on: some pixel is not white. */
async function painted(canvas: Locator): Promise<boolean> {
  return canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) if (data[i] < 250 || data[i + 1] < 250 || data[i + 2] < 250) return true;
    return false;
  });
}

test('two runs at equal loss: the distance, its seed baseline, the trend and the three maps', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath({ ...TOY, comparisons: [{ a: 'small', b: 'large' }] }, true, '?backend=wasm'));
  const compare = page.getByTestId('compare');
  await expect(compare.getByTestId('compare-result')).toBeVisible({ timeout: 120_000 });

  const tv = await number(compare.getByTestId('compare-distance'));
  expect(tv).toBeGreaterThan(0);
  expect(tv).toBeLessThanOrEqual(1);
  for (const id of ['compare-disagreement', 'compare-kl']) expect(await number(compare.getByTestId(id))).toBeGreaterThanOrEqual(0);
  // Both runs reached the same level; the table says when.
  const level = Number(/≤ ([\d.e-]+)/.exec(await compare.locator('.compare-level').innerText())![1]);
  const reach = await compare.locator('.compare-reach tbody tr').allInnerTexts();
  expect(reach).toHaveLength(2);
  for (const line of reach) expect(Number(line.trim().split(/\s+/).at(-1))).toBeLessThanOrEqual(level);

  // The baseline: large vs its seed twin at the same level (once the twin has got there).
  await expect(compare.getByTestId('compare-baseline')).toContainText(/large vs large-s2\): [\d.]+|has not reached this level yet/);
  await waitForSteps(page, 'large-s2', 400, 120_000);
  await expect(compare.getByTestId('compare-baseline')).toContainText(/seed baseline \(large vs large-s2\): [\d.]+/);

  // The three maps are drawn, the scatter and the disagreement list are there, and the trend once two levels are shared.
  for (const id of ['map-a', 'map-b', 'map-difference', 'prob-scatter']) expect(await painted(compare.getByTestId(id)), id).toBe(true);
  await expect(compare.getByTestId('disagreements').locator('tbody tr')).toHaveCount(8);
  await expect(compare.getByTestId('distance-by-level')).toBeVisible();
  // Every distance with its bootstrap interval, the ratio to the baseline with its own, bands on the trend,
  // and the verdict panel's reading of the same numbers.
  await expect(compare.getByTestId('compare-interval')).toHaveText(/^\s*\[[\d.e-]+, [\d.e-]+\]$/);
  await expect(compare.getByTestId('compare-ratio')).toContainText(/× the seed distance \(95 % \[[\d.e-]+, [\d.e-]+\]\)/);
  await expect(compare.getByTestId('distance-by-level').locator('.band-distance path')).not.toHaveCount(0);
  await expect(compare.getByTestId('distance-by-level').locator('.band-baseline path')).not.toHaveCount(0);
  await expect(page.getByTestId('verdict-equal-loss')).toContainText(/small vs large: distance [\d.]+ \[[\d.]+, [\d.]+\] vs seed baseline [\d.]+ \[[\d.]+, [\d.]+\] at loss [\d.]+; ratio [\d.]+ \[[\d.]+, [\d.]+\]: (within|closer than|farther than) the baseline/);
  await expect(compare.getByTestId('ladder-memory')).toContainText(/\d+ points recorded across 3 runs, \d+ KB/);
  expect(await failures()).toEqual([]);
});

test('snapshot now, a seed twin in one click, and the comparison in the link', async ({ page }) => {
  const failures = watchForFailures(page);
  const spec = { ...TOY, budgetSteps: 100_000, runs: TOY.runs.slice(0, 2) };
  await page.goto(experimentPath(spec, true, '?backend=wasm'));
  await waitForSteps(page, 'large', 60);
  const compare = page.getByTestId('compare');

  // Comparing a run with itself is refused where it is chosen.
  await compare.getByLabel('Run B').selectOption('small');
  await expect(compare.getByRole('alert')).toHaveText('Choose two different runs.');
  await expect(compare.getByRole('button', { name: 'Snapshot at equal loss' })).toBeDisabled();
  await compare.getByLabel('Run B').selectOption('large');

  await compare.getByLabel('Level').selectOption('now');
  await compare.getByRole('button', { name: 'Snapshot at equal loss' }).click();
  const tab = compare.getByRole('tab', { name: /small vs large, loss [\d.]+/ });
  await expect(tab).toBeVisible();
  await expect(compare.getByTestId('compare-result')).toBeVisible({ timeout: 120_000 });
  // The comparison, at the level "now" picked, is in the address bar's link.
  const link = decodeLink(page.url());
  expect(link.ok && link.state.spec.comparisons).toEqual([{ a: 'small', b: 'large', level: expect.any(Number) }]);

  // No run differs from either only in seed: one click adds the twin, which trains from step 0.
  await expect(compare.getByTestId('compare-baseline')).toContainText('No run differs from small or large only in seed.');
  await compare.getByRole('button', { name: 'Add a seed twin of small' }).click();
  await expect(row(page, 'small-s2')).toBeVisible();
  await waitForSteps(page, 'small-s2', 20);
  await expect(compare.getByTestId('compare-baseline')).toContainText(/small vs small-s2|small-s2 has not reached this level yet/);
  expect(await failures()).toEqual([]);
});

test('on an image task the probe examples where the runs differ most are drawn as pictures', async ({ page }) => {
  const failures = watchForFailures(page);
  const digits = {
    task: { kind: 'digits' as const },
    budgetSteps: 150,
    evalEvery: 25,
    probeSize: 128,
    runs: [
      { id: 'b16', batchSize: 16, learningRate: 0.1 },
      { id: 'b64', batchSize: 64, learningRate: 0.1 },
    ],
    comparisons: [{ a: 'b16', b: 'b64' }],
  };
  await page.goto(experimentPath(digits, true, '?backend=wasm'));
  const list = page.getByTestId('compare').getByTestId('disagreements');
  await expect(list).toBeVisible({ timeout: 120_000 });
  const pictures = list.locator('canvas.probe-image');
  await expect(pictures).toHaveCount(8);
  expect(await pictures.first().evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([28, 28]);
  expect(await painted(pictures.first())).toBe(true);
  expect(await failures()).toEqual([]);
});
