import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SMALL_SPEC, drawnUpTo, experimentPath, row, steps, waitForSteps, watchForFailures } from './helpers';

/** Waits until the open experiment is saved with a run at step `atLeast` or later, as the Saved list says. */
async function waitForSavedStep(page: Page, atLeast: number): Promise<void> {
  await expect.poll(() => page.url(), { timeout: 20_000 }).toContain('&s=');
  const id = /&s=([a-z0-9]+)/.exec(page.url())![1];
  await page.getByTestId('shelf-saved').click();
  const savedStep = async () => Number((/step ([\d,]+)/.exec(await page.getByTestId(`saved-${id}`).innerText())?.[1] ?? '0').replace(/,/g, ''));
  await expect.poll(savedStep, { timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
}

test('a reload mid-training restores every run from storage, paused, and Run resumes it', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  // The first save puts the saved experiment's id into the address; wait for a checkpoint past step 100.
  await waitForSavedStep(page, 100);
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
  const { curves } = await drawnUpTo(page, 'evalLoss', 50);
  expect(curves.small.last).toBeGreaterThan(0);
  // Still paused: one step lands exactly one further (the worker handles commands in order).
  await page.getByTestId('step').click();
  await expect.poll(() => steps(page, 'small')).toBe(restored + 1);

  await page.getByTestId('play').click();
  await waitForSteps(page, 'small', restored + 51);
  expect(await failures()).toEqual([]);
});

test('saved experiments: listed with storage used, renamed, reopened, deleted', async ({ page }) => {
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await waitForSteps(page, 'small', 30);
  await page.getByTestId('pause').click();
  await expect.poll(() => page.url(), { timeout: 20_000 }).toContain('&s=');
  const id = /&s=([a-z0-9]+)/.exec(page.url())![1];
  await page.getByTestId('shelf-saved').click();
  const entry = page.getByTestId(`saved-${id}`);
  await expect(entry).toContainText('(open)');
  await expect(page.getByTestId('storage-used')).toContainText(/Storage used: .+ of .+/);
  await entry.getByTestId('saved-rename').click();
  await entry.getByTestId('rename-input').fill('my sweep');
  await entry.getByRole('button', { name: 'Save' }).click();
  await expect(entry).toContainText('my sweep');

  // A new experiment (a demo) is saved separately; the first can be reopened from the list.
  await page.getByTestId('shelf-gallery').click();
  await page.getByTestId('demo-equal-loss-online').getByTestId('demo-open').click();
  await waitForSteps(page, 'b128-s2', 10);
  await expect.poll(() => page.url(), { timeout: 20_000 }).not.toContain(`&s=${id}`);
  await page.getByTestId('shelf-saved').click();
  await page.getByTestId(`saved-${id}`).getByTestId('saved-open').click();
  await expect(page.getByTestId('notice')).toContainText('Restored “my sweep”');
  await expect(row(page, 'small')).toBeVisible();
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  expect(await steps(page, 'small')).toBeGreaterThanOrEqual(30);
  expect(page.url()).toContain(`&s=${id}`);

  await page.getByTestId(`saved-${id}`).getByTestId('saved-delete').click();
  await expect(page.getByTestId(`saved-${id}`)).toHaveCount(0);
});

test('storage full: the page says so, training goes on, and the runs can be exported', async ({ page }) => {
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await expect(page.getByTestId('storage-notice')).toContainText('storage is full', { timeout: 20_000 });
  const before = await steps(page, 'small');
  await waitForSteps(page, 'small', before + 50);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('storage-export').click()]);
  expect(download.suggestedFilename()).toBe('sgd-lab-results.json');
  expect(await failures()).toEqual([]);
});

test('a tab that dies mid-training: its address in a new tab restores the runs', async ({ context }) => {
  const first = await context.newPage();
  await first.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await waitForSavedStep(first, 100);
  const url = first.url();
  await first.close({ runBeforeUnload: false }); // no pause, no goodbye: as a crash would leave it

  const second = await context.newPage();
  await second.goto(url);
  await expect(second.getByTestId('notice')).toContainText('Restored');
  await expect(second.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  expect(await steps(second, 'small')).toBeGreaterThan(50);
  await second.getByTestId('play').click();
  await waitForSteps(second, 'large', 150);
});

test('a damaged saved experiment is listed with the reason, cannot be opened, and can be deleted', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await waitForSteps(page, 'small', 30);
  await expect.poll(() => page.url(), { timeout: 20_000 }).toContain('&s=');
  const id = /&s=([a-z0-9]+)/.exec(page.url())![1];
  // Another experiment takes over the saving; then the first one's checkpoint is lost from its record.
  await page.getByTestId('shelf-gallery').click();
  await page.getByTestId('demo-equal-loss-online').getByTestId('demo-open').click();
  await expect.poll(() => page.url(), { timeout: 20_000 }).not.toContain(`&s=${id}`);
  await page.evaluate(
    (key) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('sgd-noise-lab');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('experiments', 'readwrite');
          const store = tx.objectStore('experiments');
          const get = store.get(key);
          get.onsuccess = () => store.put({ ...get.result, checkpoint: null }, key);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
    `data:${id}`,
  );
  await page.getByTestId('shelf-saved').click();
  const entry = page.getByTestId(`saved-${id}`);
  await expect(entry.getByTestId('saved-damaged')).toContainText('Damaged: its checkpoint is missing');
  await expect(entry.getByTestId('saved-open')).toBeDisabled();
  await entry.getByTestId('saved-delete').click();
  await expect(entry).toHaveCount(0);
  expect(await failures()).toEqual([]);
});
