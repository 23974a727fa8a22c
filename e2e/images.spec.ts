/**
 * Images and your own data, end to end on wasm: the CNN trains on MNIST (loaded on demand) and its
 * held-out loss falls; a link that trains on an uploaded table asks for the file, a bad file is refused
 * with the reason, and a good small .csv trains to the end of its single pass.
 */
import { expect, test } from '@playwright/test';
import { experimentPath, readChartAt, row, steps, watchForFailures } from './helpers';

test('the CNN trains on MNIST digits and its held-out loss falls', async ({ page }) => {
  const failures = watchForFailures(page);
  const spec = {
    task: { kind: 'digits' as const },
    model: { kind: 'cnn' as const, conv1: 4, conv2: 8, dense: 32 },
    budgetSteps: 60,
    evalEvery: 10,
    probeSize: 128,
    runs: [{ id: 'cnn', batchSize: 16, learningRate: 0.1 }],
  };
  await page.goto(experimentPath(spec, true, '?backend=wasm'));
  await expect(row(page, 'cnn')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  expect(await steps(page, 'cnn')).toBe(60);
  // Charts redraw on their own clock, which may lag the table (more so now that the run ends sooner): read
  // until the last evaluation is drawn (a read while the chart re-renders under the pointer counts as not yet).
  const read = async () => ({ early: (await readChartAt(page, 'evalLoss', 0)).cnn, late: (await readChartAt(page, 'evalLoss', 1)).cnn });
  await expect.poll(async () => read().then(({ early, late }) => early > 1.5 && late < 0.8 * early, () => false), { timeout: 30_000 }).toBe(true); // ~ln 10 at the start
  await expect(page.getByTestId('data-loading')).toHaveCount(0);
  expect(await failures()).toEqual([]);
});

/** A two-class table: class a around (0, 0), class b around (3, 3). */
function table(rows: number): string {
  const lines = ['x1,x2,kind'];
  for (let i = 0; i < rows; i++) {
    const b = i % 2;
    lines.push(`${(b * 3 + Math.sin(i)).toFixed(3)},${(b * 3 + Math.cos(i * 1.7)).toFixed(3)},${b ? 'b' : 'a'}`);
  }
  return lines.join('\n');
}

test('a link that trains on an upload asks for the file; a bad file is refused, a good .csv trains', async ({ page }) => {
  const spec = {
    task: { kind: 'csv' as const, file: 'upload:points.csv' },
    model: { width: 16, depth: 1 },
    budgetSteps: 100,
    evalEvery: 5,
    probeSize: 32,
    runs: [{ id: 'csv', batchSize: 8, learningRate: 0.3 }],
  };
  await page.goto(experimentPath(spec, false, '?backend=wasm'));
  await expect(page.getByTestId('error')).toContainText('"points.csv", which stays on the device that uploaded it');
  await expect(page.getByTestId('upload-needed')).toContainText('points.csv');

  const input = page.getByTestId('upload-input');
  await input.setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 7, 9]) });
  await expect(page.getByTestId('upload-error')).toContainText('points.csv: this is a binary file');
  await input.setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from('x1,x2,kind\n1,2,a\n3,4') });
  await expect(page.getByTestId('upload-error')).toContainText('only 2 data rows');

  await input.setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(table(200)) });
  await expect(page.getByTestId('upload-summary')).toContainText('200 rows (160 to train on, 40 held out), 2 features, 2 classes');
  await expect(page.getByTestId('error')).toHaveCount(0);
  // The experiment was waiting for this file: it is loaded (paused, as links open) and runs on Run.
  await expect(row(page, 'csv')).toHaveAttribute('data-status', 'paused', { timeout: 30_000 });
  await page.getByTestId('play').click();
  await expect(row(page, 'csv')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  // 160 training rows at 8 a step: the single pass ends after 20 steps, and the run says so.
  expect(await steps(page, 'csv')).toBe(20);
  await expect(row(page, 'csv').locator('td.status')).toHaveAttribute('title', /single pass/);
  // Charts redraw on their own clock, which may lag the table: read until the last evaluation is drawn
  // (a read while the chart re-renders under the pointer counts as not yet).
  const ratio = async () => (await readChartAt(page, 'evalLoss', 1)).csv / (await readChartAt(page, 'evalLoss', 0)).csv;
  await expect.poll(() => ratio().catch(() => Infinity), { timeout: 30_000 }).toBeLessThan(0.5);
});

test('a file chosen while the link that needs it is still starting trains all the same', async ({ page }) => {
  const spec = { task: { kind: 'csv' as const, file: 'upload:points.csv' }, model: { width: 8, depth: 1 }, probeSize: 32, runs: [{ id: 'csv', batchSize: 16, learningRate: 0.3 }] };
  await page.goto(experimentPath(spec, false, '?backend=wasm'));
  await page.getByTestId('upload-input').setInputFiles({ name: 'points.csv', mimeType: 'text/csv', buffer: Buffer.from(table(120)) });
  await expect(row(page, 'csv')).toHaveAttribute('data-status', 'paused', { timeout: 30_000 });
  await page.getByTestId('play').click();
  await expect(row(page, 'csv')).toHaveAttribute('data-status', 'done', { timeout: 30_000 });
  // 120 rows, 24 held out: 96 to train on, 6 steps of 16; the last one is evaluated.
  expect(await steps(page, 'csv')).toBe(6);
  expect(Number(await row(page, 'csv').locator('td').nth(6).innerText())).toBeGreaterThan(0);
});

// Gradients of every CNN op exist on the GPU backends too (WebGPU here on SwiftShader, WebGL on ANGLE).
for (const backend of ['webgpu', 'webgl'] as const) {
  test(`the CNN trains on ${backend} without an error and its loss stays finite`, async ({ page }) => {
    test.slow();
    const failures = watchForFailures(page);
    const spec = {
      task: { kind: 'shapes' as const },
      model: { kind: 'cnn' as const, conv1: 4, conv2: 8, dense: 16 },
      budgetSteps: 16,
      evalEvery: 8,
      probeSize: 32,
      runs: [{ id: 'cnn', batchSize: 8, learningRate: 0.05 }],
    };
    await page.goto(experimentPath(spec, true, `?backend=${backend}`));
    await expect(page.getByTestId('backend-name')).toHaveText(backend, { timeout: 90_000 });
    await expect(row(page, 'cnn')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
    expect(await steps(page, 'cnn')).toBe(16);
    const heldOut = await row(page, 'cnn').locator('td').nth(6).innerText();
    expect(Number(heldOut)).toBeGreaterThan(0);
    expect(Number(heldOut)).toBeLessThan(5);
    expect(await failures()).toEqual([]);
  });
}
