import { expect, test } from '@playwright/test';
import { SMALL_SPEC, experimentPath, readChartAt, row, steps, waitForSteps, watchForFailures } from './helpers';

test('a reload mid-training restores every run from storage, paused, and Run resumes it', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await waitForSteps(page, 'small', 100);
  // The first save puts the saved experiment's id into the address.
  await expect.poll(() => page.url(), { timeout: 20_000 }).toContain('&s=');
  // Let at least one more checkpoint land while training (every 3 s).
  await page.waitForTimeout(3500);
  const before = await steps(page, 'small');
  expect(before).toBeGreaterThan(100);

  await page.reload();
  await expect(page.getByTestId('notice')).toContainText('Restored');
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  const restored = await steps(page, 'small');
  expect(restored).toBeGreaterThan(50);
  expect(restored).toBeLessThanOrEqual(before + 400);
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'paused');
  // The metric rows came back with the runs: the held-out chart draws them before any new step.
  const values = await readChartAt(page, 'evalLoss', 0.5);
  expect(values.small).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  expect(await steps(page, 'small')).toBe(restored);

  await page.getByTestId('play').click();
  await waitForSteps(page, 'small', restored + 50);
  expect(await failures()).toEqual([]);
});
