/**
 * Offline and updates, with the service worker running (the other e2e tests block it): served from /lab/
 * by a plain static server, the lab is stored on first load; with the network gone (the browser offline
 * and the server shut down) it reopens and trains, on the digits too once they were loaded. A newly
 * deployed version is offered with a prompt while the experiment keeps training, and only a click swaps it in.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { rmSync } from 'node:fs';
import { DIGITS_SPEC, SMALL_SPEC, experimentPath, row, steps, waitForSteps, watchForFailures } from './helpers';
import { buildFolder, buildLab, serveStatic } from './hosting';

test.use({ serviceWorkers: 'allow' });

/** Whether the service worker's data cache holds the shipped file `name`. */
function dataCached(page: Page, name: string): Promise<boolean> {
  return page.evaluate(async (file) => {
    const cache = await caches.open('lab-data');
    return (await cache.match(new URL(`data/${file}`, document.baseURI).href)) !== undefined;
  }, name);
}

test('loaded once, the lab is installable and reopens and trains with no network, on the digits too', async ({ page, context, policyGuard }) => {
  test.setTimeout(180_000);
  const server = await serveStatic({ '/lab/': 'dist' });
  policyGuard.allow(server.origin);
  const lab = `${server.origin}/lab/`;
  const failures = watchForFailures(page);
  await page.goto(`${server.origin}/lab${experimentPath(DIGITS_SPEC, true, '?backend=wasm')}`);
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 60_000 });
  await waitForSteps(page, 'mlp', 10, 90_000);
  // The digits, loaded before the service worker took over, are fetched once more through it.
  await expect.poll(() => dataCached(page, 'mnist.bin.gz'), { timeout: 60_000 }).toBe(true);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
  // Chromium's own verdict on installing it as an app (manifest, icons, service worker); a test's browser
  // context counts as incognito, where nothing installs, which is the one objection allowed here.
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
  expect(installabilityErrors.map((e) => e.errorId).filter((id) => id !== 'in-incognito')).toEqual([]);

  // Saved at a checkpoint: the address then carries the saved experiment's id, which a reload reopens.
  await expect.poll(() => page.url(), { timeout: 30_000 }).toMatch(/[#&]s=[a-z0-9]+/i);
  await context.setOffline(true);
  await server.close();
  // A reload reopens the saved experiment, paused; Run trains on on the digits from the cache.
  await page.reload();
  await expect(row(page, 'mlp')).toBeVisible();
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 60_000 });
  const before = await steps(page, 'mlp');
  await page.getByTestId('play').click();
  await waitForSteps(page, 'mlp', before + 20, 90_000);
  await expect(page.getByTestId('data-loading')).toHaveCount(0);

  // A fresh experiment opens offline too.
  await page.goto(`${lab}?backend=wasm`);
  await waitForSteps(page, 'b8', 20, 60_000);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');
  expect(await failures()).toEqual([]);
});

test('a new version is offered with a prompt, never swapped in under a running experiment', async ({ page, policyGuard }) => {
  test.setTimeout(240_000);
  const folder = buildFolder();
  // Two versions of the lab that differ (their public URL), deployed one after the other in one folder.
  buildLab(folder, 'https://first.example/lab/');
  const server = await serveStatic({ '/lab/': folder });
  policyGuard.allow(server.origin);
  const failures = watchForFailures(page);
  await page.goto(`${server.origin}/lab${experimentPath(SMALL_SPEC, true, '?backend=wasm')}`);
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('share-target')).toContainText('https://first.example/lab/');
  await waitForSteps(page, 'small', 10);
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

  buildLab(folder, 'https://second.example/lab/');
  // What the browser does on its own at the next navigation or periodic check.
  await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
  await expect(page.getByTestId('update-prompt')).toBeVisible({ timeout: 60_000 });

  // The running experiment goes on, on the old version, in the same page.
  const atPrompt = await steps(page, 'small');
  await waitForSteps(page, 'small', atPrompt + 20);
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  await expect(page.getByTestId('share-target')).toContainText('https://first.example/lab/');

  // Only the person's click swaps it in; the saved experiment reopens.
  await page.getByTestId('update-reload').click();
  await expect(page.getByTestId('share-target')).toContainText('https://second.example/lab/', { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBeUndefined();
  await expect(row(page, 'small')).toBeVisible();
  await expect(page.getByTestId('update-prompt')).toHaveCount(0);
  expect(await failures()).toEqual([]);
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});
