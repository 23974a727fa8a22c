import { expect, type Page } from '@playwright/test';
import { linkUrl } from '../src/spec/link';
import { ExperimentSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import { MARGIN, Y_AXIS_WIDTH } from '../src/ui/charts/layout';

/** A page address that opens `spec` (and starts it at once when `autorun`). */
export function experimentPath(spec: ExperimentSpecInput, autorun: boolean, query = ''): string {
  return linkUrl(`/${query}`, { spec: ExperimentSpec.parse(spec), view: defaultView(), autorun });
}

/** A small, fast experiment for tests that need exact control over steps. */
export const SMALL_SPEC: ExperimentSpecInput = {
  task: { kind: 'teacher-student', inputDim: 8, teacherWidth: 8, classes: 3 },
  model: { width: 16, depth: 1 },
  budgetSteps: 20_000,
  evalEvery: 10,
  probeSize: 64,
  runs: [
    { id: 'small', batchSize: 4, learningRate: 0.1 },
    { id: 'large', batchSize: 32, learningRate: 0.1 },
  ],
};

/** A small MLP on the digits (the shipped MNIST file: tests of loading and caching data use it). */
export const DIGITS_SPEC: ExperimentSpecInput = {
  task: { kind: 'digits' },
  model: { width: 32, depth: 1 },
  budgetSteps: 20_000,
  evalEvery: 10,
  probeSize: 64,
  runs: [{ id: 'mlp', batchSize: 16, learningRate: 0.1 }],
};

export function row(page: Page, runId: string) {
  return page.getByTestId(`run-row-${runId}`);
}

export async function steps(page: Page, runId: string): Promise<number> {
  return Number(await row(page, runId).getByTestId('steps').innerText());
}

export async function samples(page: Page, runId: string): Promise<number> {
  return Number(await row(page, runId).getByTestId('samples').innerText());
}

/** The text of every cell of a run's table row. */
export async function cells(page: Page, runId: string): Promise<string[]> {
  return row(page, runId).locator('td').allInnerTexts();
}

/** A run's latest training loss at full precision (the table shows 4 digits). */
export async function exactLoss(page: Page, runId: string): Promise<string | null> {
  return row(page, runId).getByTestId('train-loss').getAttribute('data-value');
}

export async function waitForSteps(page: Page, runId: string, atLeast: number, timeout = 60_000): Promise<void> {
  await expect.poll(() => steps(page, runId), { timeout }).toBeGreaterThanOrEqual(atLeast);
}

/** Collects everything that signals a failure: page errors, console errors, and error banners. */
export function watchForFailures(page: Page): () => Promise<string[]> {
  const failures: string[] = [];
  page.on('pageerror', (e) => failures.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') failures.push(`console: ${m.text()}`);
  });
  return async () => [...failures, ...(await page.getByTestId('error').allInnerTexts())];
}

/**
 * Taps the chart at a fraction of its plot width (in a context with hasTouch) and returns each run's value
 * in the readout the tap opens. Tests of what a chart drew read `drawn` instead: a readout shows what is
 * drawn now, so only a test of the readout itself uses this.
 */
export async function tapChartAt(page: Page, metric: 'trainLoss' | 'evalLoss', fraction: number): Promise<Record<string, number>> {
  const body = page.getByTestId(`chart-${metric}`).locator('.chart-body');
  const box = (await body.boundingBox())!;
  const plotLeft = MARGIN.left + Y_AXIS_WIDTH;
  const plotWidth = box.width - plotLeft - MARGIN.right;
  const [x, y] = [box.x + plotLeft + fraction * plotWidth, box.y + box.height / 2];
  await page.touchscreen.tap(x, y);
  const readout = body.locator('.chart-readout');
  await expect(readout).toBeVisible();
  const values: Record<string, number> = {};
  for (const line of await readout.locator('div').allInnerTexts()) {
    const match = /^\s*([\w-]+): ([\d.e+-]+)$/.exec(line);
    if (match) values[match[1]] = Number(match[2]);
  }
  return values;
}

export interface Drawn {
  /** The furthest x the chart has drawn (null before it draws anything). */
  xMax: number | null;
  /** Each curve's first and last drawn values, by its name in the legend (the run id). */
  curves: Record<string, { first: number; last: number }>;
  /** Runs marked "not resolved" somewhere on the chart (B_simple ≫ B: MetricChart's dashes along the top). */
  unresolved: string[];
}

/** What a chart (data-testid `chart-<name>`) has drawn, read at once from the attributes of its curves (MetricChart). */
export async function drawn(page: Page, name: string): Promise<Drawn> {
  return page.getByTestId(`chart-${name}`).evaluate((chart) => {
    const curves: Record<string, { first: number; last: number }> = {};
    for (const path of chart.querySelectorAll<SVGPathElement>('path[data-run][data-last]')) {
      curves[path.dataset.run!] = { first: Number(path.dataset.first), last: Number(path.dataset.last) };
    }
    const xMax = chart.querySelector('[data-x-max]')?.getAttribute('data-x-max');
    const unresolved = [...chart.querySelectorAll<SVGPathElement>('path[data-unresolved]')].map((path) => path.dataset.unresolved!);
    return { xMax: xMax ? Number(xMax) : null, curves, unresolved };
  });
}

/**
 * Waits until a chart has drawn up to `x` (exactly to `x`, for runs that ended there: a chart still showing
 * an earlier experiment does not count) and returns what it drew. The charts redraw on their own clock,
 * which may lag the run table: read them only once they show what the test is about.
 */
export async function drawnUpTo(page: Page, name: string, x: number, { exactly = false, timeout = 30_000 } = {}): Promise<Drawn> {
  const reached = async () => {
    const xMax = (await drawn(page, name)).xMax;
    return xMax !== null && (exactly ? xMax === x : xMax >= x);
  };
  await expect.poll(reached, { timeout, message: `the ${name} chart drawn ${exactly ? 'to' : 'past'} x = ${x}` }).toBe(true);
  return drawn(page, name);
}
