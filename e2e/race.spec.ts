/**
 * auto, chosen by measuring (ui/training/race.ts): on a fresh browser the default experiment starts on
 * the usual guess, a scout measures each backend that passes the self-test, and "why …?" lists the
 * measured rates with the fastest marked; the lab trains on that one, and remembers it for next time.
 */
import { expect, test } from '@playwright/test';

test('auto measures the backends and trains on the fastest measured one', async ({ page }) => {
  await page.goto('/');
  const why = page.locator('.backend-notices');
  await why.locator('summary').click();
  // The race runs after the first step and takes about 1.5 s (plus the scout's start).
  await expect(why.locator('li', { hasText: '(fastest' })).toHaveCount(1, { timeout: 60_000 });
  const lines = await why.locator('li').allInnerTexts();
  const measured = new Map<string, number>();
  for (const line of lines) {
    const match = /^(\w+): ([\d,]+) samples\/s/.exec(line);
    if (match) measured.set(match[1], Number(match[2].replaceAll(',', '')));
  }
  // wasm is measured first, on any machine; the others as the 1.5 s allow (on a loaded machine, none).
  expect(measured.has('wasm'), lines.join('\n')).toBe(true);
  const fastest = [...measured].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  expect(lines.find((l) => l.includes('(fastest'))).toMatch(new RegExp(`^${fastest}:`));
  await expect(page.getByTestId('backend-name')).toHaveText(fastest);
  // Every candidate is listed: measured, or why not.
  for (const backend of ['wasm', 'cpu', 'webgpu', 'webgl']) expect(lines.some((l) => l.startsWith(`${backend}:`)), backend).toBe(true);

  // The outcome is kept for this device and experiment shape: a reload starts on the winner, and says when it was measured.
  await page.reload();
  await expect(page.getByTestId('backend-name')).toHaveText(fastest, { timeout: 60_000 });
  await why.locator('summary').click();
  await expect(why.locator('li', { hasText: '(fastest, measured ' })).toHaveCount(1);
});
