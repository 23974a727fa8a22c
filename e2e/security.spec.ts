/**
 * The built page carries a strict Content-Security-Policy (scripts/csp.ts) and the lab works under it; the
 * suite's guard (fixtures.ts) sees a violation when there is one. The wasm, webgl and webgpu backends, the
 * digits file, exports and IndexedDB are driven by the other specs under the same guard; cpu is here.
 */
import { CONTENT_SECURITY_POLICY } from '../scripts/csp';
import { expect, test } from './fixtures';
import { SMALL_SPEC, experimentPath, row, steps, watchForFailures } from './helpers';

test('the page carries the policy, and an inline script is refused and reported', async ({ page, policyGuard }) => {
  await page.goto(experimentPath(SMALL_SPEC, false, '?backend=wasm'));
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', CONTENT_SECURITY_POLICY);
  const ran = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.inlineRan = true';
    document.body.append(script);
    return (window as Window & { inlineRan?: boolean }).inlineRan === true;
  });
  expect(ran).toBe(false);
  await expect.poll(() => policyGuard.problems.join('\n')).toContain('script-src');
  policyGuard.problems.length = 0; // seen: the guard works; nothing else may go wrong
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
});

test('trains on the cpu backend under the policy', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath({ ...SMALL_SPEC, budgetSteps: 30 }, true, '?backend=cpu'));
  await expect(page.getByTestId('backend-name')).toHaveText('cpu', { timeout: 30_000 });
  await expect(row(page, 'large')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await steps(page, 'small')).toBe(30);
  expect(await failures()).toEqual([]);
});
