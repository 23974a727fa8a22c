import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { decodeLink } from '../src/spec/link';
import { SMALL_SPEC, cells, drawnUpTo, experimentPath, row, steps, waitForSteps, watchForFailures } from './helpers';

const FAMILY = /↳ small @ step (\d+)/;

/** SMALL_SPEC with a budget no run finishes during a test (only a training run can be forked). */
const LONG_SPEC = { ...SMALL_SPEC, budgetSteps: 200_000 };

// These tests click into a table that updates ten times a second while the worker trains: slow on a busy machine.
test.describe.configure({ timeout: 180_000 });

/** The fork step shown in a fork's row ("↳ small @ step N"). */
async function forkStep(page: Page, runId: string): Promise<number> {
  const text = await row(page, runId).getByTestId('run-family').innerText();
  const match = FAMILY.exec(text);
  expect(match, text).not.toBeNull();
  return Number(match![1]);
}

test('forking a training run from its row: the branch trains on, is charted, and travels in the link', async ({ page, context }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(LONG_SPEC, true));
  await waitForSteps(page, 'small', 50);

  await row(page, 'small').getByTestId('fork').click();
  const form = page.getByTestId('fork-form-small');
  await expect(form).toBeVisible();
  // Prefilled from the parent: B × 4, its η, and a fresh id.
  await expect(form.getByTestId('fork-batchSize')).toHaveValue('16');
  await expect(form.getByTestId('fork-learningRate')).toHaveValue('0.1');
  await expect(form.getByTestId('fork-id')).toHaveValue('small-f1');
  await expect(form.getByTestId('fork-batchSize')).toBeFocused();
  await form.getByTestId('fork-batchSize').fill('32');
  await form.getByTestId('fork-submit').click();
  await expect(form).toBeHidden();

  const fork = row(page, 'small-f1');
  await expect(fork).toBeVisible();
  await expect(fork.getByTestId('run-family')).toHaveText(FAMILY);
  const n = await forkStep(page, 'small-f1');
  expect(n).toBeGreaterThanOrEqual(50);
  // Listed under its parent, with its own settings.
  const order = await page.locator('[data-testid=run-table] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')));
  expect(order).toEqual(['run-row-small', 'run-row-small-f1', 'run-row-large']);
  await waitForSteps(page, 'small-f1', n + 30);
  await expect(fork).toHaveAttribute('data-status', 'running');
  await page.getByTestId('pause').click(); // read a still table and chart
  await expect(fork).toHaveAttribute('data-status', 'paused');
  const [, b, lr, seed, , , , stepCell, sampleCell, , bNow] = await cells(page, 'small-f1'); // one reading
  expect([b, lr, seed, bNow]).toEqual(['32', '0.1', '1', '32']);
  // It continues the parent's stream: the parent's n × 4 samples, then 32 per step of its own.
  expect(Number(sampleCell)).toBe(n * 4 + (Number(stepCell) - n) * 32);

  // Its curve is on the chart, once the chart has drawn the steps the table shows.
  const { curves } = await drawnUpTo(page, 'trainLoss', Number(stepCell));
  expect(curves['small-f1']?.last).toBeGreaterThan(0);

  // The link carries the fork, and opens it.
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  const decoded = decodeLink(link);
  expect(decoded.ok).toBe(true);
  const runs = decoded.ok ? decoded.state.spec.runs : [];
  expect(runs.find((r) => r.id === 'small-f1')).toMatchObject({ batchSize: 32, learningRate: 0.1, seed: 1, fork: { parent: 'small', atStep: n } });

  const other = await context.newPage();
  await other.goto(link);
  await expect(row(other, 'small-f1')).toBeVisible();
  await expect(row(other, 'small-f1').getByTestId('run-family')).toHaveText(`↳ small @ step ${n}`);
  await expect(other.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  // A link opens paused: the fork waits for its parent to reach step n, then starts there.
  await expect(row(other, 'small-f1')).toHaveAttribute('data-status', 'waiting');
  expect(await steps(other, 'small-f1')).toBe(0);
  await other.getByTestId('play').click();
  await waitForSteps(other, 'small-f1', n + 5);
  expect(await failures()).toEqual([]);
});

test('a bad fork is explained and not made; the form works from the keyboard and Esc cancels', async ({ page }) => {
  await page.goto(experimentPath(LONG_SPEC, true));
  await waitForSteps(page, 'small', 10);
  await page.getByTestId('pause').click();

  const forkButton = row(page, 'small').getByTestId('fork');
  await forkButton.focus();
  await page.keyboard.press('Enter');
  const form = page.getByTestId('fork-form-small');
  await expect(form).toBeVisible();
  await expect(forkButton).toHaveAttribute('aria-expanded', 'true');

  await form.getByTestId('fork-batchSize').fill('0');
  await expect(form.getByText('Batch size must be at least 1')).toBeVisible();
  await expect(form.getByTestId('fork-batchSize')).toHaveAttribute('aria-invalid', 'true');
  await form.getByTestId('fork-submit').click();
  await form.getByTestId('fork-batchSize').press('Enter');
  // Refused on the page (the form validates as you type), so nothing went to the worker: nothing to wait for.
  await expect(form).toBeVisible();
  await expect(page.locator('[data-testid=run-table] tbody tr[data-testid^=run-row-]')).toHaveCount(2);

  await form.getByTestId('fork-batchSize').fill('9000');
  await expect(form.getByText('Batch size must be at most 8192')).toBeVisible();
  await form.getByTestId('fork-batchSize').fill('2.5');
  await expect(form.getByText('Batch size must be a whole number')).toBeVisible();
  await form.getByTestId('fork-batchSize').fill('8');
  await form.getByTestId('fork-learningRate').fill('0');
  await expect(form.getByText('Learning rate must be greater than 0')).toBeVisible();
  await form.getByTestId('fork-learningRate').fill('0.05');
  await form.getByTestId('fork-id').fill('large');
  await expect(form.getByText('Run id "large" is already used')).toBeVisible();
  await form.getByTestId('fork-id').fill('no spaces');
  await expect(form.getByText('Run id: 1–24 letters, digits, - or _')).toBeVisible();
  await form.getByTestId('fork-id').fill('calm');
  await expect(form.locator('.field-error')).toHaveCount(0);

  // Esc cancels and gives focus back to the Fork button; nothing was forked.
  await page.keyboard.press('Escape');
  await expect(form).toBeHidden();
  await expect(forkButton).toBeFocused();
  await expect(page.locator('[data-testid=run-table] tbody tr')).toHaveCount(2);

  // Now all from the keyboard: open, type, Enter.
  await page.keyboard.press('Enter');
  await expect(form).toBeVisible();
  await page.keyboard.type('8'); // replaces the selected prefill
  await page.keyboard.press('Enter');
  await expect(row(page, 'small-f1')).toBeVisible();
  await expect.poll(async () => (await cells(page, 'small-f1'))[1]).toBe('8');
  // Forked while paused: exactly at the parent's step.
  const parentSteps = await steps(page, 'small');
  await expect(row(page, 'small-f1').getByTestId('run-family')).toHaveText(`↳ small @ step ${parentSteps}`);
});

test('a noise cut set in the editor takes effect at its step', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(SMALL_SPEC, false));
  await expect(page.getByTestId('play')).toBeEnabled({ timeout: 30_000 });

  const editor = page.getByTestId('run-editor-0');
  await editor.getByRole('button', { name: 'Add a noise cut to run small' }).click();
  await editor.locator('input[data-path="runs.0.change.atStep"]').fill('100');
  await editor.locator('input[data-path="runs.0.change.batchFactor"]').fill('4');
  // A bad value is explained by the schema, beside the field.
  await editor.locator('input[data-path="runs.0.change.lrDivisor"]').fill('0');
  await expect(editor.getByText('LR divisor must be greater than 0')).toBeVisible();
  await expect(page.getByTestId('apply')).toBeDisabled();
  await editor.locator('input[data-path="runs.0.change.lrDivisor"]').fill('1');
  await expect(editor.getByText('from step 100: B 4 → 16, η 0.1 → 0.1')).toBeVisible();
  await page.getByTestId('apply').click();

  await expect(row(page, 'small').getByTestId('run-change')).toHaveText('B×4 @ step 100');
  await expect(row(page, 'small').getByTestId('batch-now')).toHaveText('4');
  await page.getByTestId('play').click();
  await waitForSteps(page, 'small', 150);
  const [, b, , , , , , stepCell, sampleCell, , bNow] = await cells(page, 'small'); // one reading
  expect([b, bNow]).toEqual(['4', '16']);
  expect(Number(sampleCell)).toBe(100 * 4 + (Number(stepCell) - 100) * 16);
  // The untouched run is unchanged.
  expect((await cells(page, 'large'))[10]).toBe('32');
  expect(await failures()).toEqual([]);
});
