import { expect, test } from './fixtures';
import { SMALL_SPEC, experimentPath, steps, waitForSteps, watchForFailures } from './helpers';

// Here WebGPU runs on SwiftShader (a software adapter): slow, but the same code path as on a real GPU.
test('trains on the webgpu backend in the worker without a single GPU error', async ({ page }) => {
  test.slow();
  const failures = watchForFailures(page);
  await page.goto(experimentPath({ ...SMALL_SPEC, budgetSteps: 30 }, true, '?backend=webgpu'));
  await expect(page.getByTestId('backend-name')).toHaveText('webgpu', { timeout: 90_000 });
  await waitForSteps(page, 'large', 30, 120_000);
  await expect(page.getByTestId('run-row-large')).toHaveAttribute('data-status', 'done');
  expect(await steps(page, 'small')).toBe(30);
  const heldOut = await page.getByTestId('run-row-large').locator('td').nth(6).innerText();
  expect(Number.isFinite(Number(heldOut))).toBe(true);
  expect(await failures()).toEqual([]);
});
