/**
 * `npm run bench`: measures the production build in headless Chromium and writes a JSON report.
 *   - samples per second of the default experiment on each backend the browser offers,
 *   - time from navigation to the first training step (per backend),
 *   - the longest main-thread task while 16 runs train with the charts open,
 *   - the JavaScript cost of one chart update at 16 runs × 10,000 steps,
 *   - the extra time per step of the gradient-noise estimator at its default settings,
 *   - steps per second of each language task (text, Markov) with the transformer, on each backend,
 *   - samples per second of a 16-run sweep through the headless runner with 1, 2, … worker threads.
 * A benchmark, not a test: it asserts nothing and has no thresholds. Options: --seconds N (measuring
 * window per backend, default 8), --out FILE (default bench-results/bench-<time>.json), --tasks LIST
 * (comma-separated among default, text, markov, peer, pool, smooth; default all but pool and smooth: "default"
 * is the default experiment and the measurements tied to it, the pool's included; "peer" the side-by-side with
 * tfjs-layers and before/after in Node (bench/peer.ts); "pool" only the page's pool of workers (bench/pool.ts);
 * "smooth" only the main thread and chart-update measurements). BENCH_PORT sets the preview port (default 4180).
 */
import { chromium, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../src/engine/tf';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { linkUrl } from '../src/spec/link';
import { ExperimentSpec, defaultSpec } from '../src/spec/schema';
import { ViewSpec, defaultView } from '../src/spec/view';
import { addGroupBands, bucketGrid } from '../src/ui/charts/grid';
import { bandPath, linePath, pixelsX } from '../src/ui/charts/paths';
import { PointsCache, runPoints } from '../src/ui/charts/points';
import { measureImageTasks } from './images';
import { measureWorkerSweep } from './workers';
import { startPreview } from './preview';
import { measurePeer } from './peer';
import { measurePool } from './pool';

const { values: args } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, out: { type: 'string' }, tasks: { type: 'string', default: 'default,text,markov,peer' } },
});
const SECONDS = Number(args.seconds);
const TASKS = new Set(args.tasks.split(','));
const PORT = Number(process.env.BENCH_PORT ?? 4180);
const BASE = `http://127.0.0.1:${PORT}/`;
const FIRST_STEP_MARK = 'sgd-lab:first-step';

function link(spec: ExperimentSpec, query = ''): string {
  return linkUrl(`${BASE}${query}`, { spec, view: defaultView(), autorun: true });
}

/** Sum of every run's samples, read from the run table. */
async function totalSamples(page: Page): Promise<number> {
  const cells = await page.locator('[data-testid=samples]').allInnerTexts();
  return cells.reduce((sum, c) => sum + Number(c), 0);
}

async function backendOf(page: Page) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=backend-name]')?.textContent?.includes('starting'), null, {
    timeout: 120_000,
  });
  const name = await page.getByTestId('backend-name').innerText();
  const adapter = (await page.locator('.backend-adapter').allInnerTexts())[0] ?? null;
  return { name, adapter };
}

async function measureBackend(page: Page, backend: string) {
  await page.goto(link(defaultSpec(), `?backend=${backend}`));
  const actual = await backendOf(page);
  const firstStepMs = await page
    .waitForFunction((mark) => performance.getEntriesByName(mark)[0]?.startTime, FIRST_STEP_MARK, { timeout: 120_000 })
    .then((h) => h.jsonValue() as Promise<number>);
  await page.waitForTimeout(1500); // past the first shapes' compilation
  const s0 = await totalSamples(page);
  const t0 = Date.now();
  await page.waitForTimeout(SECONDS * 1000);
  const s1 = await totalSamples(page);
  const elapsed = (Date.now() - t0) / 1000;
  const perRun = await page.locator('[data-testid=run-table] tbody tr').evaluateAll((rows) =>
    rows.map((r) => {
      const td = [...r.querySelectorAll('td')].map((c) => c.textContent?.trim() ?? '');
      return { id: td[0], batchSize: Number(td[1]), steps: Number(td[7]), samplesPerSecondOfCompute: Number(td[9].replace(/,/g, '')) || null };
    }),
  );
  return {
    requested: backend,
    backend: actual.name,
    adapter: actual.adapter,
    navigationToFirstStepMs: Math.round(firstStepMs),
    samplesPerSecond: Math.round((s1 - s0) / elapsed),
    runs: perRun,
  };
}

/**
 * The language tasks as the presets train them (2-layer transformer, width 64, 4 heads, context 32, Adam),
 * one run at B = 16 with the noise estimator at its defaults: steps per second over the window.
 */
const LANGUAGE_TASKS = {
  text: { kind: 'text', corpus: 'kjv', context: 32 },
  markov: { kind: 'markov', context: 32 },
} as const;
const LANGUAGE_BATCH = 16;

async function measureLanguage(page: Page, backend: string, task: keyof typeof LANGUAGE_TASKS) {
  const spec = ExperimentSpec.parse({
    task: LANGUAGE_TASKS[task],
    model: { kind: 'transformer', layers: 2, width: 64, heads: 4 },
    optimizer: { kind: 'adam' },
    budgetSteps: 100_000,
    evalEvery: 25,
    probeSize: 128,
    runs: [{ id: 'lm', batchSize: LANGUAGE_BATCH, learningRate: 0.003 }],
  });
  await page.goto(link(spec, `?backend=${backend}`));
  const actual = await backendOf(page);
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_STEP_MARK, { timeout: 300_000 });
  await page.waitForTimeout(3000); // past the first shapes' compilation (and the first evaluation)
  const stepsNow = async () => Number(await page.locator('[data-testid=steps]').first().innerText());
  const s0 = await stepsNow();
  const t0 = Date.now();
  await page.waitForTimeout(SECONDS * 1000);
  const s1 = await stepsNow();
  const elapsed = (Date.now() - t0) / 1000;
  const computeCell = await page.locator('[data-testid=run-table] tbody tr td').nth(9).innerText();
  const computeSamples = Number(computeCell.replace(/,/g, '')) || null;
  return {
    task,
    requested: backend,
    backend: actual.name,
    adapter: actual.adapter,
    batchSize: LANGUAGE_BATCH,
    model: 'transformer, 2 layers, width 64, 4 heads, context 32',
    stepsPerSecond: Number(((s1 - s0) / elapsed).toFixed(2)),
    stepsPerSecondOfCompute: computeSamples && Number((computeSamples / LANGUAGE_BATCH).toFixed(2)),
  };
}

/**
 * Main-thread tasks while 16 runs train on wasm with every panel open and the pointer moving over the loss
 * chart. Ungrouped: 4 batch sizes × 4 learning rates, each run alone. Grouped: 4 batch sizes × 2 learning
 * rates × 2 seeds, drawn as 8 seed groups with their 95 % bands (members faint), B_simple with its interval.
 */
async function measureMainThread(page: Page, grouped: boolean) {
  const runs = grouped
    ? [8, 32, 128, 512].flatMap((b) =>
        [0.1, 0.2].flatMap((lr) => [1, 2].map((seed) => ({ id: `b${b}-lr${String(lr).replace('.', 'p')}-s${seed}`, batchSize: b, learningRate: lr, seed }))),
      )
    : [8, 32, 128, 512].flatMap((b) => [0.05, 0.1, 0.2, 0.4].map((lr) => ({ id: `b${b}-lr${String(lr).replace('.', 'p')}`, batchSize: b, learningRate: lr, seed: 1 })));
  const spec = ExperimentSpec.parse({ runs, budgetSteps: 100_000 });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(linkUrl(`${BASE}?backend=wasm`, { spec, view: ViewSpec.parse({ groups: grouped ? 'ci' : 'off' }), autorun: true }));
  const actual = await backendOf(page);
  await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0, FIRST_STEP_MARK, { timeout: 120_000 });
  await page.waitForTimeout(2000);
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks.length = 0));
  // Hover across the chart meanwhile, as a person reading values would.
  const box = (await page.getByTestId('chart-trainLoss').boundingBox())!;
  const until = Date.now() + SECONDS * 1000;
  while (Date.now() < until) {
    await page.mouse.move(box.x + 80 + Math.random() * (box.width - 100), box.y + box.height / 2);
    await page.waitForTimeout(100);
  }
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  const sorted = [...longTasks].sort((a, b) => a - b);
  return {
    runs: runs.length,
    groups: grouped ? 'seed groups of 2, mean with 95 % band, members faint' : 'off',
    backend: actual.name,
    seconds: SECONDS,
    longTaskCount: longTasks.length,
    longestTaskMs: longTasks.length ? Math.round(Math.max(...longTasks)) : null,
    medianLongTaskMs: longTasks.length ? Math.round(sorted[sorted.length >> 1]) : null,
    note: 'Long Tasks API: only main-thread tasks of 50 ms or more are reported; null means none reached 50 ms',
  };
}

/**
 * What one chart update costs in JavaScript at the size the lab promises to keep smooth: 16 runs of
 * 10,000 steps each, through smoothing, the shared bucket grid and the SVG paths (the same code the
 * page runs; measured here in Node's V8, without the DOM).
 */
function chartMathMs(grouped: boolean, incremental: boolean): { runs: number; stepsPerRun: number; groups: boolean; incremental: boolean; medianMs: number } {
  const row = (i: number): MetricRow => ({
    step: i + 1,
    samples: (i + 1) * 32,
    trainLoss: 1 / Math.sqrt(i + 1) + 0.3 * Math.random(),
    ...(i % 25 === 24 ? { evalLoss: 1 / Math.sqrt(i + 1) } : {}),
    lr: 0.1,
    wallMs: i,
    batchSize: 32,
    temperature: 0.1 / 32,
  });
  // Incremental: the charts' PointsCache holds 9,250 rows and each update brings 50 more per run (the
  // worker's messages between two redraws); otherwise every update recomputes all 10,000 rows.
  const rows: MetricRow[] = Array.from({ length: incremental ? 9_250 : 10_000 }, (_, i) => row(i));
  const opts = { axis: 'samples' as const, logX: true, logY: true, smoothing: 0.9, buckets: 200 };
  const scale = (v: number) => Math.log(v) * 10;
  const cache = new PointsCache();
  const update = () => {
    for (const metric of ['trainLoss', 'evalLoss'] as const) {
      const points = Array.from({ length: 16 }, (_, r) => (incremental ? cache.points(`${metric}${r}`, rows, metric, opts) : runPoints(`r${r}`, rows, metric, opts)));
      points.forEach((p, r) => (p.id = `r${r}`));
      const grid = bucketGrid(points, 200, true);
      const xs = pixelsX(grid, scale);
      for (const p of points) {
        linePath(xs, grid.values.get(p.id), scale);
        bandPath(xs, grid.bands.get(p.id), scale);
      }
      if (grouped) {
        // 8 seed groups of 2, banded on the grid (not on the 10,000 rows).
        const groups = Array.from({ length: 8 }, (_, g) => ({ key: `g${g}`, runs: [`r${2 * g}`, `r${2 * g + 1}`] }));
        addGroupBands(grid, groups, 'ci');
        for (const g of groups) {
          linePath(xs, grid.values.get(g.key), scale);
          bandPath(xs, grid.bands.get(g.key), scale);
        }
      }
    }
  };
  if (incremental) update();
  const times: number[] = [];
  for (let rep = 0; rep < 15; rep++) {
    if (incremental) rows.push(...Array.from({ length: 50 }, (_, i) => row(rows.length + i)));
    const t0 = performance.now();
    update();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { runs: 16, stepsPerRun: 10_000, groups: grouped, incremental, medianMs: Number(times[times.length >> 1].toFixed(1)) };
}

/**
 * The gradient-noise estimator's cost per step on the default experiment, on wasm in Node (the same
 * engine code as the worker): time for 600 steps with the estimator at its default settings and with it
 * off, alternating, best of three each.
 */
async function estimatorOverhead() {
  await tf.setBackend('wasm');
  const best: Record<'on' | 'off', number> = { on: Infinity, off: Infinity };
  for (let rep = 0; rep < 3; rep++) {
    for (const mode of ['off', 'on'] as const) {
      const trainer = new Trainer(ExperimentSpec.parse({ budgetSteps: 650, noise: { enabled: mode === 'on' } }), { groupRuns: false });
      await trainer.advance(50); // warm-up: first shapes
      const t0 = performance.now();
      while (trainer.active) await trainer.advance(50);
      best[mode] = Math.min(best[mode], performance.now() - t0);
      trainer.dispose();
    }
  }
  const d = defaultSpec().noise;
  return {
    backend: 'wasm (Node)',
    settings: `micro-batches ${d.microBatches}, every ${d.every} steps`,
    msPer600StepsOff: Math.round(best.off),
    msPer600StepsOn: Math.round(best.on),
    extraTimePerStep: Number((best.on / best.off - 1).toFixed(3)),
  };
}

const peer = TASKS.has('peer') ? await measurePeer({ seconds: SECONDS / 2 }) : null;
const noiseEstimator = TASKS.has('default') ? (process.stderr.write("measuring the noise estimator's overhead…\n"), await estimatorOverhead()) : null;
const stopPreview = await startPreview(PORT);
const executablePath = process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium';
const browser = await chromium.launch({ executablePath, args: ['--enable-unsafe-webgpu', '--disable-quic'] });
try {
  const report: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` },
    browser: `chromium ${browser.version()}`,
    experiment: 'default (teacher–student, 4 runs, B = 8, 32, 128, 512)',
    backends: [] as unknown[],
    languageTasks: [] as unknown[],
    peer,
  };
  for (const backend of TASKS.has('default') ? ['webgpu', 'webgl', 'wasm', 'cpu'] : []) {
    const page = await browser.newPage();
    process.stderr.write(`measuring ${backend}…\n`);
    try {
      (report.backends as unknown[]).push(await measureBackend(page, backend));
    } catch (err) {
      (report.backends as unknown[]).push({ requested: backend, error: String(err) });
    } finally {
      await page.close();
    }
  }
  for (const task of (['text', 'markov'] as const).filter((t) => TASKS.has(t))) {
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
      const page = await browser.newPage();
      process.stderr.write(`measuring ${task} on ${backend}…\n`);
      try {
        (report.languageTasks as unknown[]).push(await measureLanguage(page, backend, task));
      } catch (err) {
        (report.languageTasks as unknown[]).push({ task, requested: backend, error: String(err) });
      } finally {
        await page.close();
      }
    }
  }
  if (TASKS.has('default') || TASKS.has('pool')) report.pool = (process.stderr.write('measuring the pool of workers…\n'), await measurePool(browser, link, SECONDS));
  if (TASKS.has('default')) {
    report.imageTasks = await measureImageTasks(browser, link, SECONDS / 2);
    report.noiseEstimator = noiseEstimator;
    report.workerSweep = await measureWorkerSweep();
  }
  if (TASKS.has('default') || TASKS.has('smooth')) {
    report.chartUpdateMathBothCharts = [chartMathMs(false, false), chartMathMs(true, false), chartMathMs(true, true)];
    report.mainThreadWith16Runs = [];
    for (const grouped of [false, true]) {
      process.stderr.write(`measuring the main thread with 16 runs${grouped ? ' in seed groups' : ''}…\n`);
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      (report.mainThreadWith16Runs as unknown[]).push(await measureMainThread(page, grouped));
      await page.close();
    }
  }

  const out = args.out ?? `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  process.stderr.write(`report written to ${out}\n`);
} finally {
  await browser.close();
  stopPreview();
}
