import { expect, test } from './fixtures';
import LZString from 'lz-string';
import { SMALL_SPEC, cells, drawnUpTo, exactLoss, experimentPath, row, samples, steps, waitForSteps, watchForFailures } from './helpers';

test('the default experiment starts training at once and its held-out loss falls on the chart', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto('/');
  await expect(page.getByTestId('backend-name')).not.toHaveText(/starting|no backend/, { timeout: 30_000 });
  for (const id of ['b8', 'b32', 'b128', 'b512']) await expect(row(page, id)).toBeVisible();
  await waitForSteps(page, 'b512', 300);

  const { curves } = await drawnUpTo(page, 'evalLoss', 300); // one reading of every curve, drawn past step 300
  for (const id of ['b8', 'b32', 'b128', 'b512']) {
    expect(curves[id].first, `early held-out loss of ${id}`).toBeGreaterThan(0);
    expect(curves[id].last, `held-out loss of ${id} falls`).toBeLessThan(curves[id].first);
  }
  // Online, less noise is not worse per step: the largest batch ends below the smallest.
  expect(curves.b512.last).toBeLessThan(curves.b8.last);
  const [, , , , , , , stepCell, sampleCell] = await cells(page, 'b512'); // one reading, not two
  expect(Number(sampleCell)).toBe(Number(stepCell) * 512);
  expect(await failures()).toEqual([]);
});

test('pause, step, resume and reset', async ({ page }) => {
  await page.goto(experimentPath(SMALL_SPEC, true));
  await waitForSteps(page, 'small', 20);

  await page.getByTestId('pause').click();
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'paused');
  const paused = await steps(page, 'small');
  // The worker handles commands in order: one step after the pause lands exactly one further (no fixed wait).
  await page.getByTestId('step').click();
  await expect.poll(() => steps(page, 'small')).toBe(paused + 1);
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'paused');

  await page.locator('h1').click(); // move focus off the Step button: Space would press it
  await page.keyboard.press('Space'); // resume from the keyboard
  await waitForSteps(page, 'small', paused + 20);
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'running');

  await page.getByTestId('pause').click();
  await page.getByTestId('reset').click();
  await expect.poll(() => steps(page, 'small')).toBe(0);
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'paused');
  await page.getByTestId('play').click();
  await waitForSteps(page, 'small', 5);
});

test("changing a run's batch size takes effect and leaves the other runs training", async ({ page }) => {
  await page.goto(experimentPath({ ...SMALL_SPEC, budgetSteps: 200 }, true));
  // Let both runs finish: an edit to a finished experiment trains the edited run.
  await expect(row(page, 'large')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('play')).toBeVisible();
  const largeBefore = await steps(page, 'large');

  const batchField = page.getByTestId('run-editor-0').locator('input[data-path="runs.0.batchSize"]');
  await batchField.fill('16');
  await page.getByTestId('apply').click();

  await expect.poll(async () => (await cells(page, 'small'))[1]).toBe('16');
  await expect(row(page, 'small')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await steps(page, 'small')).toBe(200);
  expect(await samples(page, 'small')).toBe(200 * 16);
  // The edited run restarted and trained; the untouched one kept its finished state.
  expect(await steps(page, 'large')).toBe(largeBefore);
  await expect(row(page, 'large')).toHaveAttribute('data-status', 'done');
});

test('a run whose loss blows up is marked diverged and the others go on', async ({ page }) => {
  const spec = {
    ...SMALL_SPEC,
    task: { kind: 'teacher-student' as const, output: 'regression' as const, inputDim: 8, teacherWidth: 8 },
    runs: [
      { id: 'sane', batchSize: 8, learningRate: 0.01 },
      { id: 'wild', batchSize: 8, learningRate: 50 },
    ],
  };
  await page.goto(experimentPath(spec, true));
  await expect(row(page, 'wild')).toHaveAttribute('data-status', 'diverged', { timeout: 30_000 });
  await expect(row(page, 'wild').locator('td.status')).toHaveAttribute('title', /loss became (NaN|Infinity) at step \d+/);
  const stoppedAt = await steps(page, 'wild');
  await waitForSteps(page, 'sane', stoppedAt + 50);
  expect(await steps(page, 'wild')).toBe(stoppedAt);
  await expect(row(page, 'sane')).toHaveAttribute('data-status', 'running');
});

test('the sweep helper creates the grid of batch sizes × learning rates, which then trains', async ({ page }) => {
  await page.goto(experimentPath(SMALL_SPEC, false));
  await page.getByText('Sweep: batch sizes × learning rates × seeds').click();
  await page.getByTestId('sweep-batches').fill('16, 64');
  await page.getByTestId('sweep-lrs').fill('0.05 0.1');
  await page.getByTestId('sweep-seeds').fill('1');
  await page.getByTestId('sweep-lrs').fill('0.05, x');
  await expect(page.getByText('Learning rates: "x" is not a positive number')).toBeVisible();
  await page.getByTestId('sweep-lrs').fill('0.05, 0.1');
  await page.getByRole('button', { name: 'Replace runs with this grid (4 runs)' }).click();
  await page.getByTestId('apply').click();
  for (const id of ['b16-lr0p05', 'b16-lr0p1', 'b64-lr0p05', 'b64-lr0p1']) await expect(row(page, id)).toBeVisible();
  await expect(page.locator('[data-testid=run-table] tbody tr')).toHaveCount(4);
  await expect.poll(async () => (await cells(page, 'b64-lr0p1')).slice(1, 3)).toEqual(['64', '0.1']);
  await page.getByTestId('play').click();
  await waitForSteps(page, 'b64-lr0p1', 10);
});

test('invalid input is explained beside the field and cannot be applied', async ({ page }) => {
  await page.goto(experimentPath(SMALL_SPEC, false));
  const width = page.locator('input[data-path="model.width"]');
  await width.fill('abc');
  await expect(page.getByText('Width must be a number')).toBeVisible();
  await expect(page.getByTestId('apply')).toBeDisabled();
  await width.fill('0');
  await expect(page.getByText('Width must be at least 1')).toBeVisible();
  await page.locator('input[data-path="runs.1.learningRate"]').fill('-1');
  await expect(page.getByText('Learning rate must be greater than 0')).toBeVisible();
  await expect(page.getByTestId('draft-issues')).toHaveText(/2 problems/);
  await width.fill('24');
  await page.locator('input[data-path="runs.1.learningRate"]').fill('0.05');
  await expect(page.getByTestId('apply')).toBeEnabled();
});

test('a copied link opens the same experiment, which trains to the same numbers', async ({ page, context }) => {
  // On one backend: auto measures backends and may pick another one for the second page (ui/training/race.ts).
  await page.goto(experimentPath(SMALL_SPEC, false, '?backend=wasm'));
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  await page.locator('input[data-path="runs.1.learningRate"]').fill('0.05');
  await page.getByTestId('apply').click();
  await page.getByTestId('x-axis').selectOption('samples');
  for (let i = 0; i < 5; i++) await page.getByTestId('step').click();
  await expect.poll(() => steps(page, 'large')).toBe(5);

  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toContain('#e=');

  const other = await context.newPage();
  await other.goto(link);
  await expect(other.locator('input[data-path="runs.1.learningRate"]')).toHaveValue('0.05');
  await expect(other.locator('input[data-path="model.width"]')).toHaveValue('16');
  await expect(other.getByTestId('x-axis')).toHaveValue('samples');
  // A shared link waits for "Run" rather than starting on its own.
  await expect(other.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  expect(await steps(other, 'large')).toBe(0);
  for (let i = 0; i < 5; i++) await other.getByTestId('step').click();
  await expect.poll(() => steps(other, 'large')).toBe(5);
  for (const id of ['small', 'large']) {
    expect((await cells(other, id)).slice(0, 9)).toEqual((await cells(page, id)).slice(0, 9));
    // Full precision, not just the 4 digits shown.
    expect(await exactLoss(other, id)).toBe(await exactLoss(page, id));
  }
});

test('a malformed link opens the default experiment with a notice', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto('/#e=this-is-not-an-experiment');
  await expect(page.getByTestId('notice')).toContainText('damaged');
  await expect(page.getByTestId('notice')).toContainText('default experiment');
  await waitForSteps(page, 'b8', 5);
  expect(await failures()).toEqual([]);
});

test('a link from a newer version says so', async ({ page }) => {
  await page.goto(`/#e=${LZString.compressToEncodedURIComponent(JSON.stringify({ v: 99, s: {} }))}`);
  await expect(page.getByTestId('notice')).toContainText('newer version');
});
