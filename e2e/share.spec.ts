import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { readFileSync } from 'node:fs';
import { linkUrl } from '../src/spec/link';
import { ExperimentSpec } from '../src/spec/schema';
import { ViewSpec } from '../src/spec/view';
import { SMALL_SPEC, drawnUpTo, exactLoss, experimentPath, row, steps, waitForSteps, watchForFailures } from './helpers';

async function downloadText(page: Page, testId: string): Promise<{ name: string; text: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const bytes = readFileSync((await download.path())!);
  return { name: download.suggestedFilename(), text: bytes.toString('utf8'), bytes };
}

/** Trains SMALL_SPEC (wasm) to at least `atLeast` steps and pauses. */
async function trainAndPause(page: Page, atLeast: number): Promise<number> {
  await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
  await waitForSteps(page, 'small', atLeast);
  await page.getByTestId('pause').click();
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'paused');
  return steps(page, 'small');
}

test('copy link carries the view; opening it restores everything, paused, with a Run button', async ({ page, context, browser, policyGuard }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await trainAndPause(page, 20);
  await page.getByTestId('x-axis').selectOption('samples');
  await page.getByTestId('noise-log-y').uncheck();
  await page.getByTestId('panels').click();
  await page.getByTestId('panel-stepsVsSamples').uncheck();
  await expect(page.getByTestId('noise-panel')).toBeVisible();
  await page.getByTestId('copy-link').click();
  await expect(page.getByText(/Copied ✓ · \d+ characters/)).toBeVisible();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).not.toContain('&s='); // the saved id never travels

  const fresh = await browser.newContext(); // no saved experiment there
  await policyGuard.watch(fresh);
  const other = await fresh.newPage();
  await other.goto(link);
  await expect(other.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  await expect(other.getByTestId('x-axis')).toHaveValue('samples');
  await expect(other.getByTestId('noise-log-y')).not.toBeChecked();
  await expect(other.locator('.steps-samples')).toHaveCount(0);
  await expect(row(other, 'small')).toBeVisible();
  // Paused at step 0: one step lands exactly on step 1 (the worker handles commands in order).
  await other.getByTestId('step').click();
  await expect.poll(() => steps(other, 'small')).toBe(1);
  await fresh.close();
});

test('a classroom link hides the controls it names and keeps play, pause and reset', async ({ page }) => {
  const failures = watchForFailures(page);
  const url = linkUrl('/?backend=wasm', {
    spec: ExperimentSpec.parse(SMALL_SPEC),
    view: ViewSpec.parse({ hidden: ['noise'] }),
    autorun: true,
    classroom: { hide: ['editor', 'fork', 'share', 'step', 'backend', 'export'] },
  });
  await page.goto(url);
  await waitForSteps(page, 'small', 10);
  await expect(page.getByTestId('classroom-bar')).toBeVisible();
  await expect(page.getByTestId('app')).toHaveClass(/classroom/);
  for (const hidden of ['copy-link', 'fork', 'apply', 'noise-panel', 'backend-name', 'shelf-export', 'export-png-trainLoss']) {
    await expect(page.getByTestId(hidden)).toHaveCount(0);
  }
  await expect(page.getByTestId('step')).toBeHidden();
  await expect(page.getByTestId('pause')).toBeVisible();
  await expect(page.getByTestId('reset')).toBeVisible();
  await expect(page.getByTestId('x-axis')).toBeVisible(); // not named, so shown
  // Charts are enlarged for a projector.
  const box = await page.getByTestId('chart-trainLoss').locator('.chart-body').boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(400);
  await page.getByTestId('pause').click();
  await page.getByTestId('reset').click();
  await expect.poll(() => steps(page, 'small')).toBe(0);
  expect(await failures()).toEqual([]);
});

test('a demo from the gallery opens and runs', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, false, '?backend=wasm'));
  await page.getByTestId('shelf-gallery').click();
  const cards = page.getByTestId('gallery').locator('article');
  await expect(cards).toHaveCount(6); // the four claims, and the online sweep on images and on language
  const card = page.getByTestId('demo-online-noise-cut');
  await expect(card).toContainText('Look for');
  await expect(card).toContainText('You should see');
  await card.getByTestId('demo-open').click();
  for (const id of ['b8', 'b8-cut', 'b64', 'b8-fork']) await expect(row(page, id)).toBeVisible();
  await waitForSteps(page, 'b8', 20);
  await expect(page.getByTestId('gallery')).toHaveCount(0); // opening a demo closes the gallery
  // Its verdict panel tests the demo's claim: the cut run and the fork, each against the run it left.
  await expect(page.getByTestId('verdict-noise-cut')).toHaveCount(2);
  await expect(page.getByTestId('verdict-noise-cut').first()).toContainText('b8-cut (cut at step 1000) below b8');
  await expect(page.getByTestId('verdict-noise-cut').last()).toContainText('fork b8-fork below b8');
  // In classroom mode the editor goes and the charts grow.
  await page.getByTestId('shelf-gallery').click();
  await page.getByTestId('demo-online-batch-sweep').getByTestId('demo-classroom').click();
  await expect(page.getByTestId('classroom-bar')).toBeVisible();
  await expect(page.getByTestId('apply')).toHaveCount(0);
  await waitForSteps(page, 'b512', 5);
  expect(await failures()).toEqual([]);
});

test('every export parses and matches the run data; PNG has the expected size; import shows the runs', async ({ page }) => {
  const failures = watchForFailures(page);
  const trained = await trainAndPause(page, 40);
  const lastLoss = Number(await exactLoss(page, 'small'));
  await page.getByTestId('shelf-export').click();

  // CSV: one line per run per step, settings as columns.
  const csv = await downloadText(page, 'export-csv');
  expect(csv.name).toMatch(/\.csv$/);
  const [header, ...lines] = csv.text.trimEnd().split('\n').map((l) => l.split(','));
  const col = (k: string) => header.indexOf(k);
  for (const k of ['run.id', 'run.batchSize', 'run.learningRate', 'step', 'trainLoss']) expect(col(k), k).toBeGreaterThanOrEqual(0);
  const small = lines.filter((l) => l[col('run.id')] === 'small');
  expect(small).toHaveLength(trained);
  expect(small.map((l) => Number(l[col('step')]))).toEqual(Array.from({ length: trained }, (_, i) => i + 1));
  expect(small.every((l) => l[col('run.batchSize')] === '4')).toBe(true);
  expect(Number(small[small.length - 1][col('trainLoss')])).toBe(lastLoss);

  // JSON: the whole spec and every row.
  const json = await downloadText(page, 'export-json');
  const doc = JSON.parse(json.text) as { spec: unknown; runs: Array<{ id: string; metrics: Array<{ step: number; trainLoss: number }> }> };
  expect(ExperimentSpec.parse(doc.spec)).toEqual(ExperimentSpec.parse(SMALL_SPEC));
  const smallRun = doc.runs.find((r) => r.id === 'small')!;
  expect(smallRun.metrics).toHaveLength(trained);
  expect(smallRun.metrics.at(-1)!.trainLoss).toBe(lastLoss);

  const experiment = await downloadText(page, 'export-experiment');
  expect(ExperimentSpec.parse(JSON.parse(experiment.text))).toEqual(ExperimentSpec.parse(SMALL_SPEC));

  // SVG: title, axis labels and a legend entry per run; exported once the chart has drawn the last evaluation
  // (every 10th step), as its clock may lag the table.
  await drawnUpTo(page, 'evalLoss', 10 * Math.floor(trained / 10), { exactly: true });
  const svg = await downloadText(page, 'export-svg-evalLoss');
  expect(svg.text).toContain('<svg');
  expect(svg.text).toContain('Held-out loss (probe set)');
  expect(svg.text).toContain('class="axis-label-x"');
  expect(svg.text).toMatch(/class="legend-item".*>small<.*>large</s);
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg.text)![1]);
  const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg.text)![1]);
  expect(width).toBeGreaterThan(300);

  // PNG: a real PNG at twice the SVG's size, not blank.
  const png = await downloadText(page, 'export-png-evalLoss');
  expect(png.bytes.subarray(1, 4).toString('ascii')).toBe('PNG');
  expect(png.bytes.readUInt32BE(16)).toBe(width * 2);
  expect(png.bytes.readUInt32BE(20)).toBe(height * 2);
  expect(png.bytes.length).toBeGreaterThan(5000);

  // Import the JSON export: its runs appear on the charts beside the live ones.
  await page.getByTestId('import-file').setInputFiles({ name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(json.text) });
  await expect(page.getByTestId('import-ok')).toContainText('Imported 2 runs');
  await expect(page.getByTestId('import-i1')).toBeVisible();
  await expect(page.getByTestId('chart-trainLoss').locator('path[data-run="i1/small"]')).toHaveCount(1);
  await expect(page.getByTestId('chart-trainLoss').locator('path[data-run="small"]')).toHaveCount(1);

  // A bad import says why and changes nothing.
  await page.getByTestId('import-file').setInputFiles({ name: 'cut.json', mimeType: 'application/json', buffer: Buffer.from(json.text.slice(0, 500)) });
  await expect(page.getByTestId('import-error')).toContainText('cut short');
  await page.getByTestId('import-file').setInputFiles({ name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"name":"x"}') });
  await expect(page.getByTestId('import-error')).toContainText('not an SGD Noise Lab');
  await expect(page.getByTestId('chart-trainLoss').locator('path[data-run="i1/small"]')).toHaveCount(1);
  expect(await steps(page, 'small')).toBe(trained);
  expect(await failures()).toEqual([]);
});
