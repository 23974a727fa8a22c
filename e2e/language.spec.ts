/**
 * The language tasks end to end: a synthetic Markov language trains; your own .txt file is checked,
 * uploaded (it stays in the page and the worker) and trained on until its single pass ends; a link that
 * names an uploaded file asks for it; bad files are refused with the reason. Small transformers and short
 * budgets: CI has 2 cores and no GPU.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import type { ExperimentSpecInput } from '../src/spec/schema';
import { drawnUpTo, exactLoss, experimentPath, row, steps, watchForFailures } from './helpers';

const tinyModel = { kind: 'transformer', layers: 1, width: 16, heads: 2 } as const;

const MARKOV: ExperimentSpecInput = {
  task: { kind: 'markov', alphabet: 6, order: 1, concentration: 0.2, context: 8 },
  model: tinyModel,
  optimizer: { kind: 'adam' },
  budgetSteps: 120,
  evalEvery: 10,
  probeSize: 32,
  runs: [{ id: 'b16', batchSize: 16, learningRate: 0.02 }],
};

/** Deterministic pseudo-English: a few words, so a tiny model learns it quickly. */
function prose(chars: number): string {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'ran', 'to', 'the', 'hat'];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += words[(i * 7 + (i >> 2)) % words.length] + ((i + 1) % 9 === 0 ? '.\n' : ' ');
  return out.slice(0, chars);
}

const textFile = (name: string, text: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(text, 'utf8') });

/** How far a run's loss fell on a chart from its first to its last drawn value, once drawn to its last `step`. */
async function lossDrop(page: Page, metric: 'trainLoss' | 'evalLoss', runId: string, step: number): Promise<number> {
  const { first, last } = (await drawnUpTo(page, metric, step, { exactly: true })).curves[runId];
  return first - last;
}

async function backendReady(page: Page) {
  await expect(page.getByTestId('backend-name')).not.toHaveText(/starting|no backend/, { timeout: 30_000 });
}

test('a Markov language trains towards its entropy floor; then your own text, uploaded in the editor, trains until its single pass ends', async ({ page }) => {
  const failures = watchForFailures(page);
  await page.goto(experimentPath(MARKOV, true, '?backend=wasm'));
  await backendReady(page);
  await expect(row(page, 'b16')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await steps(page, 'b16')).toBe(120);
  expect(await lossDrop(page, 'evalLoss', 'b16', 120)).toBeGreaterThan(0.2);

  // Switch the task to text: the transformer stays; a shorter context keeps the test quick.
  await page.locator('select[data-path="task.kind"]').selectOption('text');
  await page.locator('input[data-path="task.context"]').fill('8');
  await page.getByTestId('upload-text-input').setInputFiles(textFile('cats.txt', prose(3000)));
  await expect(page.getByTestId('upload-text-error')).toHaveCount(0);
  await expect(page.locator('select[data-path="task.corpus"]')).toHaveValue('upload:cats.txt');
  // The finished experiment resumes with the edit: the new task trains at once.
  await page.getByTestId('apply').click();

  // 3,000 characters at context 8: 374 windows, 18 held out, 356 to train on: 22 steps of B = 16.
  await expect(row(page, 'b16')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await steps(page, 'b16')).toBe(22);
  await expect(row(page, 'b16').locator('td.status')).toHaveAttribute('title', /used up the 356 training samples after 22 steps \(online training is a single pass/);
  expect(await lossDrop(page, 'trainLoss', 'b16', 22)).toBeGreaterThan(0.2);
  expect(page.url()).toContain('#'); // the link names the file …
  expect(decodeURIComponent(page.url())).not.toContain('the cat sat'); // … and never carries it
  expect(await failures()).toEqual([]);
});

test('a link that names an uploaded text asks for it, then trains on it (loss falls)', async ({ page }) => {
  const spec: ExperimentSpecInput = {
    task: { kind: 'text', corpus: 'upload:story.txt', context: 8 },
    model: tinyModel,
    optimizer: { kind: 'adam' },
    budgetSteps: 60,
    evalEvery: 10,
    probeSize: 32,
    runs: [{ id: 'b8', batchSize: 8, learningRate: 0.02 }],
  };
  await page.goto(experimentPath(spec, false, '?backend=wasm'));
  await expect(page.getByTestId('upload-needed')).toContainText('story.txt');
  await expect(page.getByTestId('error')).toContainText(/story\.txt.*upload it again to run/);

  await page.getByTestId('upload-text-input').setInputFiles(textFile('story.txt', prose(20_000)));
  await expect(page.getByTestId('upload-needed')).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
  await backendReady(page);
  await expect(page.getByTestId('play')).toBeVisible();
  await page.getByTestId('play').click();
  await expect(row(page, 'b8')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await lossDrop(page, 'evalLoss', 'b8', 60)).toBeGreaterThan(0.3);
});

test('bad text files are refused with the reason, and nothing changes', async ({ page }) => {
  await page.goto(experimentPath(MARKOV, false, '?backend=wasm'));
  await page.locator('select[data-path="task.kind"]').selectOption('text');
  const input = page.getByTestId('upload-text-input');
  const error = page.getByTestId('upload-text-error');

  await input.setInputFiles(textFile('empty.txt', ''));
  await expect(error).toHaveText('"empty.txt" is empty.');
  await input.setInputFiles({ name: 'photo.txt', mimeType: 'text/plain', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0xff]) });
  await expect(error).toContainText('"photo.txt" does not look like text');
  await input.setInputFiles(textFile('short.txt', 'Too short to train on.'));
  await expect(error).toContainText(/"short.txt" has 22 characters.*it needs at least [\d,]+ characters/);
  await input.setInputFiles(textFile('notes.md', prose(5000)));
  await expect(error).toContainText('is not a .txt file');
  // The draft still trains on the shipped corpus.
  await expect(page.locator('select[data-path="task.corpus"]')).toHaveValue('kjv');
});

test('the shipped corpus is fetched only when a text task needs it, then trains', async ({ page }) => {
  const failures = watchForFailures(page);
  const fetched: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('/data/')) fetched.push(new URL(r.url()).pathname);
  });
  await page.goto(experimentPath(MARKOV, false, '?backend=wasm'));
  await backendReady(page);
  expect(fetched).toEqual([]); // the Markov task (like the default experiment) loads no data file
  const spec: ExperimentSpecInput = { ...MARKOV, task: { kind: 'text', corpus: 'kjv', context: 8 }, budgetSteps: 10 };
  await page.goto('about:blank'); // a new document: a change of the hash alone opens nothing new
  await page.goto(experimentPath(spec, true, '?backend=wasm'));
  await expect(row(page, 'b16')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(fetched).toEqual(['/data/kjv.txt']);
  expect(await steps(page, 'b16')).toBe(10);
  expect(await failures()).toEqual([]);
});

// WebGPU here is SwiftShader (software): slow, but the same shaders as on a real GPU.
test('the transformer trains on webgpu without a GPU error, to the numbers wasm gives', async ({ page }) => {
  test.slow();
  const spec: ExperimentSpecInput = {
    task: { kind: 'markov', alphabet: 6, order: 2, context: 8 },
    model: { kind: 'transformer', layers: 2, width: 16, heads: 2 },
    optimizer: { kind: 'adam' },
    budgetSteps: 12,
    evalEvery: 6,
    probeSize: 16,
    runs: [{ id: 'a', batchSize: 8, learningRate: 0.01 }],
  };
  const losses: Record<string, number> = {};
  for (const backend of ['wasm', 'webgpu']) {
    const failures = watchForFailures(page);
    await page.goto('about:blank');
    await page.goto(experimentPath(spec, true, `?backend=${backend}`));
    await expect(page.getByTestId('backend-name')).toHaveText(backend, { timeout: 90_000 });
    await expect(row(page, 'a')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
    losses[backend] = Number(await exactLoss(page, 'a'));
    expect(await failures()).toEqual([]);
  }
  expect(Number.isFinite(losses.wasm)).toBe(true);
  expect(Math.abs(losses.webgpu - losses.wasm) / losses.wasm).toBeLessThan(1e-3);
});
