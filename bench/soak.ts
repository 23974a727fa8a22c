/**
 * `npm run soak -- --minutes N`: how the lab holds up over a long session. Builds the app, serves it, and in
 * headless Chromium trains 16 runs on wasm with every panel open; once a minute it records
 *   - the page's JavaScript heap after a full garbage collection (Chrome DevTools Protocol),
 *   - the worker's live tensors and their bytes (tf.memory(), asked through the protocol's 'memory' message),
 *   - the longest main-thread task of that minute (Long Tasks API: 50 ms or more, else 0; not counting the
 *     forced collection of the sample before, which is the benchmark's own),
 *   - the metric rows the page holds (one per run per step: they grow by design, every step is kept),
 * and reports the slope per hour of each (least squares over the minutes) as JSON. A benchmark, not a test:
 * it asserts nothing. Options: --minutes N (default 30), --out FILE (default bench-results/soak-<time>.json).
 * BENCH_PORT sets the preview port (default 4180). It builds into bench-results/soak-dist, so rebuilding
 * dist/ meanwhile does not disturb it.
 */
import { chromium, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { linkUrl } from '../src/spec/link';
import { ExperimentSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import type { PoolMemory } from '../src/ui/training/pool';
import { startPreview } from './preview';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, out: { type: 'string' } } });
const MINUTES = Number(args.minutes);
const PORT = Number(process.env.BENCH_PORT ?? 4180);
const OUT_DIR = 'bench-results/soak-dist';

/** 16 runs (4 batch sizes × 4 learning rates, none of which diverges) with a budget no soak reaches. */
const SPEC = ExperimentSpec.parse({
  budgetSteps: 1_000_000,
  runs: [8, 32, 128, 512].flatMap((b) => [0.025, 0.05, 0.1, 0.2].map((lr) => ({ id: `b${b}-lr${String(lr).replace(".", "p")}`, batchSize: b, learningRate: lr }))),
});

interface Sample {
  minute: number;
  heapBytes: number;
  workerTensors: number;
  workerTensorBytes: number;
  longestTaskMs: number;
  rowsHeld: number;
}

/** Least-squares slope of y against x. */
function slope(samples: Sample[], x: (s: Sample) => number, y: (s: Sample) => number): number {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + x(s), 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (x(s) - mx) * (y(s) - my);
    den += (x(s) - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

const slopePerHour = (samples: Sample[], y: (s: Sample) => number) => 60 * slope(samples, (s) => s.minute, y);

/** Page time after the last sample's forced garbage collection: long tasks before it are not the lab's. */
let measuredUntil = 0;

async function sample(page: Page, heap: () => Promise<number>, minute: number): Promise<Sample> {
  const memory = await page.evaluate(() => (window as unknown as { sgdLab: { memory(): Promise<PoolMemory> } }).sgdLab.memory());
  const longest = await page.evaluate((since) => {
    const w = window as unknown as { longTasks: Array<{ start: number; duration: number }> };
    const max = Math.max(0, ...w.longTasks.filter((t) => t.start >= since).map((t) => t.duration));
    w.longTasks = [];
    return max;
  }, measuredUntil);
  const steps = await page.locator('[data-testid=steps]').allInnerTexts();
  // The heap is read after a full collection, which is itself a long task on a large heap: the next
  // minute's longest task starts counting after it.
  const heapBytes = await heap();
  measuredUntil = await page.evaluate(() => performance.now());
  return {
    minute,
    heapBytes,
    workerTensors: memory.numTensors,
    workerTensorBytes: memory.numBytes,
    longestTaskMs: Math.round(longest),
    rowsHeld: steps.reduce((sum, s) => sum + Number(s), 0),
  };
}

process.stderr.write('building…\n');
execFileSync('npx', ['vite', 'build', '--outDir', OUT_DIR, '--emptyOutDir'], { stdio: 'ignore' });
const stopPreview = await startPreview(PORT, OUT_DIR);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium', args: ['--disable-quic'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: Array<{ start: number; duration: number }> };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: 'longtask', buffered: true });
  });
  const cdp = await page.context().newCDPSession(page);
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };
  await page.goto(linkUrl(`http://127.0.0.1:${PORT}/?backend=wasm`, { spec: SPEC, view: defaultView(), autorun: true }));
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=steps]')?.textContent) > 0, null, { timeout: 120_000 });
  const backend = await page.getByTestId('backend-name').innerText();
  const samples: Sample[] = [];
  const t0 = Date.now();
  for (let minute = 0; minute <= MINUTES; minute++) {
    // Wait until the minute is due (a benchmark's clock, not a test's wait).
    await page.waitForTimeout(Math.max(0, t0 + minute * 60_000 - Date.now()));
    samples.push(await sample(page, heap, minute));
    process.stderr.write(`${JSON.stringify(samples.at(-1))}\n`);
  }
  const errors = await page.getByTestId('error').allInnerTexts();
  const perRow = slope(samples, (s) => s.rowsHeld, (s) => s.heapBytes);
  const report = {
    date: new Date().toISOString(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` },
    browser: `chromium ${browser.version()}`,
    backend,
    experiment: '16 runs (B = 8, 32, 128, 512 × η = 0.025, 0.05, 0.1, 0.2), teacher–student, every panel open',
    minutes: MINUTES,
    slopesPerHour: {
      heapBytes: Math.round(slopePerHour(samples, (s) => s.heapBytes)),
      workerTensors: Number(slopePerHour(samples, (s) => s.workerTensors).toFixed(2)),
      workerTensorBytes: Math.round(slopePerHour(samples, (s) => s.workerTensorBytes)),
      longestTaskMs: Math.round(slopePerHour(samples, (s) => s.longestTaskMs)),
      rowsHeld: Math.round(slopePerHour(samples, (s) => s.rowsHeld)),
    },
    // The heap holds every metric row by design: its growth per row held (least squares of heap on rows), and
    // what is left of its slope once those rows are accounted for (a leak would show here).
    heapBytesPerRow: Math.round(perRow),
    heapBeyondRowsBytesPerHour: Math.round(slopePerHour(samples, (s) => s.heapBytes - perRow * s.rowsHeld)),
    errors,
    samples,
  };
  const out = args.out ?? `bench-results/soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ ...report, samples: undefined }, null, 2));
  process.stderr.write(`report written to ${out}\n`);
} finally {
  await browser.close();
  stopPreview();
}
