/**
 * auto, chosen by measuring (ui/training/race.ts): on a fresh browser the default experiment starts on
 * the usual guess, a scout measures each backend that passes the self-test, and "why …?" lists the
 * measured rates with the chosen one marked (the fastest, or the one already training when within 20 %
 * of it); the lab trains on that one, and remembers it for next time.
 */
import { expect, test } from '@playwright/test';

test('auto measures the backends and trains on the fastest measured one (or keeps one within 20 % of it)', async ({ page }) => {
  await page.goto('/');
  const why = page.locator('.backend-notices');
  await why.locator('summary').click();
  // The race runs after the first step and takes about 1.5 s (plus the scout's start).
  await expect(why.locator('li', { hasText: '(chosen' })).toHaveCount(1, { timeout: 60_000 });
  const lines = await why.locator('li').allInnerTexts();
  const measured = new Map<string, number>();
  for (const line of lines) {
    const match = /^(\w+): ([\d,]+) samples\/s/.exec(line);
    if (match) measured.set(match[1], Number(match[2].replaceAll(',', '')));
  }
  // wasm is measured first, on any machine; the others as the 1.5 s allow (on a loaded machine, none).
  expect(measured.has('wasm'), lines.join('\n')).toBe(true);
  const chosen = /^(\w+):/.exec(lines.find((l) => l.includes('(chosen'))!)![1];
  // The fastest measured, or the one already training when within 20 % of it (a switch restarts the runs).
  expect(measured.get(chosen)! * 1.2).toBeGreaterThanOrEqual(Math.max(...measured.values()));
  await expect(page.getByTestId('backend-name')).toHaveText(chosen);
  // Every candidate is listed: measured, or why not.
  for (const backend of ['wasm', 'cpu', 'webgpu', 'webgl']) expect(lines.some((l) => l.startsWith(`${backend}:`)), backend).toBe(true);

  // The outcome is kept for this device and experiment shape: a reload starts on the winner, and says when it was measured.
  await page.reload();
  await expect(page.getByTestId('backend-name')).toHaveText(chosen, { timeout: 60_000 });
  await why.locator('summary').click();
  await expect(why.locator('li', { hasText: '(chosen, measured ' })).toHaveCount(1);
});
