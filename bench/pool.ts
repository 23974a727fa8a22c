/**
 * The page's pool of training workers in the benchmark: samples per second of a 16-run sweep (B = 8, 32,
 * 128, 512 × four learning rates, the default task) on wasm with 1 and with 2 workers, measured
 * alternately in fresh browser contexts (the pool size lives in localStorage) so the ratio comes from one
 * run; and the time from navigation to the first training step of the default experiment under auto
 * (whose backend race starts only after that step) and on wasm.
 */
import type { Browser, BrowserContext } from '@playwright/test';
import { ExperimentSpec } from '../src/spec/schema';

const FIRST_STEP_MARK = 'sgd-lab:first-step';

function sweep(): ExperimentSpec {
  const runs = [8, 32, 128, 512].flatMap((b) => [0.05, 0.1, 0.2, 0.4].map((lr) => ({ id: `b${b}-lr${String(lr).replace('.', 'p')}`, batchSize: b, learningRate: lr })));
  return ExperimentSpec.parse({ runs, budgetSteps: 1_000_000 });
}

async function contextWith(browser: Browser, workers: number | null): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (workers !== null) await context.addInitScript((n) => localStorage.setItem('sgd-lab:workers', String(n)), workers);
  return context;
}

/** Sum of every run's samples on the page (from the metric rows the page holds). */
const samplesOnPage = `Object.values(window.sgdLab.metrics()).reduce((sum, rows) => sum + (rows.length ? rows[rows.length - 1].samples : 0), 0)`;

async function sweepRate(browser: Browser, link: (spec: ExperimentSpec, query?: string) => string, workers: number, seconds: number) {
  const context = await contextWith(browser, workers);
  const page = await context.newPage();
  try {
    await page.goto(link(sweep(), '?backend=wasm'));
    await page.waitForFunction((n) => (window as unknown as { sgdLab?: { workers(): number } }).sgdLab?.workers() === n, workers);
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_STEP_MARK, { timeout: 120_000 });
    await page.waitForTimeout(1500); // past the first shapes' compilation in every worker
    const s0 = (await page.evaluate(samplesOnPage)) as number;
    const t0 = Date.now();
    await page.waitForTimeout(seconds * 1000);
    const s1 = (await page.evaluate(samplesOnPage)) as number;
    return Math.round((s1 - s0) / ((Date.now() - t0) / 1000));
  } finally {
    await context.close();
  }
}

async function firstStepMs(browser: Browser, url: string): Promise<number> {
  const context = await contextWith(browser, null);
  const page = await context.newPage();
  try {
    await page.goto(url);
    const handle = await page.waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, FIRST_STEP_MARK, { timeout: 120_000 });
    return Math.round((await handle.jsonValue()) as number);
  } finally {
    await context.close();
  }
}

export async function measurePool(browser: Browser, link: (spec: ExperimentSpec, query?: string) => string, seconds: number) {
  const rates: Record<1 | 2, number[]> = { 1: [], 2: [] };
  for (let rep = 0; rep < 2; rep++) for (const n of [1, 2] as const) rates[n].push(await sweepRate(browser, link, n, seconds));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const firstStep = { auto: [] as number[], wasm: [] as number[] };
  for (let rep = 0; rep < 3; rep++) {
    firstStep.auto.push(await firstStepMs(browser, link(ExperimentSpec.parse({}))));
    firstStep.wasm.push(await firstStepMs(browser, link(ExperimentSpec.parse({}), '?backend=wasm')));
  }
  return {
    sweep: '16 runs (B = 8, 32, 128, 512 × lr 0.05, 0.1, 0.2, 0.4), default task, wasm',
    samplesPerSecond: { oneWorker: rates[1], twoWorkers: rates[2] },
    twoOverOne: Number((median(rates[2]) / median(rates[1])).toFixed(2)),
    navigationToFirstStepMs: firstStep,
  };
}
