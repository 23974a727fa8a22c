/**
 * The image tasks in the benchmark: training steps per second of the CNN on MNIST digits and on the
 * procedural shapes, on each backend the browser offers (one run, B = 32, noise estimator at its
 * defaults, in the page's worker), and how fast the data themselves are produced in JavaScript
 * (samples per second of Task.fill, in Node).
 */
import type { Browser, Page } from '@playwright/test';
import { loadShippedAssets } from '../src/cli/run';
import { Domain, hashKeys } from '../src/engine/rng';
import { createTask } from '../src/engine/tasks';
import { ExperimentSpec, type ExperimentSpecInput } from '../src/spec/schema';

const TASKS: Record<string, ExperimentSpecInput> = {
  'digits + CNN': { task: { kind: 'digits' }, model: { kind: 'cnn' } },
  'shapes + CNN': { task: { kind: 'shapes' }, model: { kind: 'cnn' } },
  'digits + MLP': { task: { kind: 'digits' } },
};

async function stepsOf(page: Page): Promise<number> {
  return Number(await page.getByTestId('run-row-r').getByTestId('steps').innerText());
}

/** Steps per second after the first 3 steps (shape compilation): over `seconds`, or until 10 steps on a slow backend (30 s at most). */
async function measure(page: Page, url: string, seconds: number) {
  await page.goto(url);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=run-row-r] [data-testid=steps]')?.textContent) >= 3, null, { timeout: 180_000 });
  const s0 = await stepsOf(page);
  const t0 = Date.now();
  await page.waitForTimeout(seconds * 1000);
  while ((await stepsOf(page)) < s0 + 10 && Date.now() - t0 < 30_000) await page.waitForTimeout(250);
  const s1 = await stepsOf(page);
  const backend = await page.getByTestId('backend-name').innerText();
  return { backend, steps: s1 - s0, stepsPerSecond: Number(((s1 - s0) / ((Date.now() - t0) / 1000)).toFixed(2)) };
}

/** Samples per second of each image task's data in JavaScript (Task.fill), measured in Node. */
function generation() {
  const out: Record<string, number> = {};
  for (const kind of ['digits', 'shapes'] as const) {
    const spec = ExperimentSpec.parse({ task: { kind } });
    const task = createTask(spec.task, 1, loadShippedAssets(spec, new Map()));
    const n = 4000;
    const x = new Float32Array(n * task.inputDim);
    const y = new Float32Array(n * task.outputDim);
    task.fill(hashKeys(1, Domain.train, 1), 0, 500, x, y); // warm-up
    const t0 = performance.now();
    task.fill(hashKeys(1, Domain.train, 1), 500, n, x, y);
    out[kind] = Math.round(n / ((performance.now() - t0) / 1000));
  }
  return out;
}

export async function measureImageTasks(browser: Browser, link: (spec: ExperimentSpec, query: string) => string, seconds: number) {
  const results: unknown[] = [];
  for (const [name, input] of Object.entries(TASKS)) {
    const spec = ExperimentSpec.parse({ ...input, budgetSteps: 1_000_000, probeSize: 256, evalEvery: 50, runs: [{ id: 'r', batchSize: 32, learningRate: 0.05 }] });
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      process.stderr.write(`measuring ${name} on ${backend}…\n`);
      const page = await browser.newPage();
      try {
        results.push({ task: name, requested: backend, batchSize: 32, ...(await measure(page, link(spec, `?backend=${backend}`), seconds)) });
      } catch (err) {
        results.push({ task: name, requested: backend, error: String(err).split('\n')[0] });
      } finally {
        await page.close();
      }
    }
  }
  return { training: results, dataSamplesPerSecond: generation() };
}
