/**
 * Image tasks: the shipped MNIST file (format, shapes, labels, held-out split, determinism, the single
 * online pass) and the procedural shapes stream (determinism, value range, class balance, speed).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { loadShippedAssets } from '../src/cli/run';
import { parseImageSet } from '../src/engine/data/images';
import { Domain, hashKeys } from '../src/engine/rng';
import { createTask, type Task } from '../src/engine/tasks';
import { DIGITS_FILE, DigitsTask } from '../src/engine/tasks/digits';
import { SHAPE_CLASSES, ShapesTask } from '../src/engine/tasks/shapes';
import { Trainer } from '../src/engine/trainer';
import { DIGITS_TRAIN, ExperimentSpec, validateSpec } from '../src/spec/schema';
import { decodeLink, linkUrl } from '../src/spec/link';
import { defaultView } from '../src/spec/view';
import type { Assets } from '../src/engine/data/assets';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

function draw(task: Task, key: number, start: number, count: number) {
  const x = new Float32Array(count * task.inputDim);
  const y = new Float32Array(count * task.outputDim);
  task.fill(key, start, count, x, y);
  return { x, y };
}

const minOf = (a: Float32Array) => a.reduce((m, v) => Math.min(m, v), Infinity);
const maxOf = (a: Float32Array) => a.reduce((m, v) => Math.max(m, v), -Infinity);

function labelsOf(y: Float32Array, k: number): number[] {
  const labels: number[] = [];
  for (let n = 0; n < y.length / k; n++) {
    const row = Array.from(y.subarray(n * k, (n + 1) * k));
    expect(row.filter((v) => v === 1)).toHaveLength(1);
    expect(row.filter((v) => v === 0)).toHaveLength(k - 1);
    labels.push(row.indexOf(1));
  }
  return labels;
}

describe('digits (MNIST)', () => {
  let assets: Assets;
  let task: DigitsTask;
  const seed = 3;
  beforeAll(() => {
    assets = loadShippedAssets(ExperimentSpec.parse({ task: { kind: 'digits' } }), new Map());
    task = createTask({ kind: 'digits' }, seed, assets) as DigitsTask;
  });

  it('reads 60,000 training and 10,000 held-out 28×28 grey digits with labels 0–9', () => {
    const set = parseImageSet(assets.get(DIGITS_FILE)!, DIGITS_FILE);
    expect([set.trainCount, set.testCount, set.width, set.height, set.channels, set.classes]).toEqual([DIGITS_TRAIN, 10000, 28, 28, 1, 10]);
    expect(task.inputDim).toBe(784);
    expect(task.outputDim).toBe(10);
    expect(task.inputImage).toEqual({ width: 28, height: 28, channels: 1 });
    expect(task.streamSize).toBe(DIGITS_TRAIN);
    const counts = new Array(10).fill(0);
    for (const l of set.labels) counts[l]++;
    // MNIST's classes hold 9–11.3 % of the digits each.
    for (const c of counts) expect(c / set.labels.length).toBeGreaterThan(0.085);
    // 16 grey levels: every pixel a multiple of 17.
    expect(set.pixels.subarray(0, 784 * 100).every((p) => p % 17 === 0)).toBe(true);
  });

  it('is deterministic: sample i of a stream is the same whatever the batch that asks for it', () => {
    const key = hashKeys(seed, Domain.train, 1);
    const whole = draw(task, key, 100, 40);
    const again = createTask({ kind: 'digits' }, seed, assets);
    const parts = [draw(again, key, 100, 15), draw(again, key, 115, 25)];
    expect(Array.from(parts[0].x).concat(Array.from(parts[1].x))).toEqual(Array.from(whole.x));
    expect(Array.from(parts[0].y).concat(Array.from(parts[1].y))).toEqual(Array.from(whole.y));
    const labels = labelsOf(whole.y, 10);
    expect(new Set(labels).size).toBeGreaterThan(5);
    expect(minOf(whole.x)).toBe(0);
    expect(maxOf(whole.x)).toBe(1);
    // Another seed, another order.
    expect(Array.from(draw(task, hashKeys(seed, Domain.train, 2), 100, 40).x)).not.toEqual(Array.from(whole.x));
  });

  it('each training stream is one pass over all 60,000 training digits, never a held-out one', () => {
    const key = hashKeys(seed, Domain.train, 1);
    const pass = draw(task, key, 0, DIGITS_TRAIN);
    const set = parseImageSet(assets.get(DIGITS_FILE)!, DIGITS_FILE);
    // The label counts of one pass equal those of the training pool: every digit exactly once.
    const counts = new Array(10).fill(0);
    for (let n = 0; n < DIGITS_TRAIN; n++) for (let k = 0; k < 10; k++) counts[k] += pass.y[n * 10 + k];
    const pool = new Array(10).fill(0);
    for (let i = 0; i < DIGITS_TRAIN; i++) pool[set.labels[i]]++;
    expect(counts).toEqual(pool);
    expect(() => draw(task, key, DIGITS_TRAIN - 5, 10)).toThrow(/60,000 training digits.*one pass/);
  });

  it('draws the probe set from the 10,000 held-out digits', () => {
    const probe = draw(task, hashKeys(seed, Domain.probe), 0, 10000);
    const set = parseImageSet(assets.get(DIGITS_FILE)!, DIGITS_FILE);
    const counts = new Array(10).fill(0);
    for (let n = 0; n < 10000; n++) for (let k = 0; k < 10; k++) counts[k] += probe.y[n * 10 + k];
    const held = new Array(10).fill(0);
    for (let i = DIGITS_TRAIN; i < DIGITS_TRAIN + 10000; i++) held[set.labels[i]]++;
    expect(counts).toEqual(held);
    expect(() => draw(task, hashKeys(seed, Domain.probe), 9990, 20)).toThrow(/held-out digits/);
  });

  it('online, a run that would need a second pass stops as done and says why', async () => {
    const spec = ExperimentSpec.parse({
      task: { kind: 'digits' },
      model: { width: 4, depth: 1 },
      noise: { enabled: false },
      budgetSteps: 100,
      evalEvery: 100,
      probeSize: 16,
      runs: [{ id: 'big', batchSize: 8192, learningRate: 0.1 }],
    });
    const trainer = new Trainer(spec, { groupRuns: false, assets });
    const rows = [];
    while (trainer.active) rows.push(...((await trainer.advance(50)).get('big') ?? []));
    const [run] = trainer.progress();
    expect(run.status).toBe('done');
    expect(run.step).toBe(Math.floor(DIGITS_TRAIN / 8192)); // 7 steps: 57,344 digits
    // The last step of the pass is evaluated, as the last step of a budget is.
    expect(rows.map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[6].evalLoss).toBeGreaterThan(0);
    expect(run.evalLoss).toBe(rows[6].evalLoss);
    expect(run.samples).toBeLessThanOrEqual(DIGITS_TRAIN);
    expect(run.reason).toMatch(/used up the 60,000 training samples after 7 steps \(online training is a single pass/);
    trainer.dispose();
  });

  it('offline, trains on a subset of trainSize digits; the schema refuses more than MNIST has', async () => {
    expect(validateSpec({ task: { kind: 'digits' }, regime: { kind: 'offline', trainSize: 70000 } })).toMatchObject({ ok: false });
    const spec = ExperimentSpec.parse({
      task: { kind: 'digits' },
      regime: { kind: 'offline', trainSize: 64 },
      model: { width: 4, depth: 1 },
      noise: { enabled: false },
      budgetSteps: 20,
      evalEvery: 10,
      probeSize: 16,
      runs: [{ id: 'a', batchSize: 32, learningRate: 0.1 }],
    });
    const trainer = new Trainer(spec, { groupRuns: false, assets });
    while (trainer.active) await trainer.advance(50);
    const [run] = trainer.progress();
    expect(run.status).toBe('done');
    expect(run.step).toBe(20); // 10 epochs of 64, no single-pass limit offline
    trainer.dispose();
  });
});

describe('shapes (procedural images)', () => {
  const task = new ShapesTask(0.1);
  const key = hashKeys(1, Domain.train, 1);

  it('is a 32×32 colour stream of ten classes with values in [0, 1]', () => {
    expect(task.inputDim).toBe(32 * 32 * 3);
    expect(task.outputDim).toBe(SHAPE_CLASSES.length);
    expect(task.inputImage).toEqual({ width: 32, height: 32, channels: 3 });
    expect((task as Task).streamSize).toBeUndefined();
    const { x } = draw(task, key, 0, 50);
    expect(minOf(x)).toBeGreaterThanOrEqual(0);
    expect(maxOf(x)).toBeLessThanOrEqual(1);
  });

  it('is deterministic: sample i is a pure function of (key, i)', () => {
    const whole = draw(task, key, 1000, 12);
    const part = draw(new ShapesTask(0.1), key, 1005, 7);
    expect(Array.from(part.x)).toEqual(Array.from(whole.x.subarray(5 * 3072)));
    expect(Array.from(part.y)).toEqual(Array.from(whole.y.subarray(5 * 10)));
    expect(Array.from(draw(task, hashKeys(1, Domain.train, 2), 1000, 12).x)).not.toEqual(Array.from(whole.x));
  });

  it('balances its classes (χ² over 5,000 samples)', () => {
    const n = 5000;
    const labels = labelsOf(draw(task, key, 0, n).y, 10);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    const expected = n / 10;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(27.9); // χ²(9) at p = 0.001
  });

  it('draws classes that differ: the mean image of a texture is not that of a shape', () => {
    // Without noise and with the colours fixed by the key, check that each class's pixels are not all equal
    // (something is drawn) and that the fraction of foreground differs between a bar and the textures.
    const clean = new ShapesTask(0);
    const { x, y } = draw(clean, key, 0, 400);
    const labels = labelsOf(y, 10);
    const spread = new Array(10).fill(0);
    labels.forEach((l, n) => {
      const img = x.subarray(n * 3072, (n + 1) * 3072);
      spread[l] = Math.max(spread[l], maxOf(img) - minOf(img));
    });
    for (const s of spread) expect(s).toBeGreaterThan(0.3);
  });

  it('generates fast enough to feed training (measured, not asserted strictly)', () => {
    const n = 2000;
    const x = new Float32Array(n * task.inputDim);
    const y = new Float32Array(n * task.outputDim);
    const t0 = performance.now();
    task.fill(key, 0, n, x, y);
    const perSecond = n / ((performance.now() - t0) / 1000);
    console.log(`shapes: ${Math.round(perSecond)} samples/s`);
    expect(perSecond).toBeGreaterThan(500);
  });
});

describe('image and upload specs', () => {
  it.each([
    { task: { kind: 'digits' }, model: { kind: 'cnn', conv1: 4 } },
    { task: { kind: 'shapes', noise: 0.3 }, model: { kind: 'cnn' }, regime: { kind: 'offline', trainSize: 600 } },
    { task: { kind: 'csv', file: 'upload:my data.csv', label: 'species', heldOut: 0.3 } },
  ])('%o survives a link (an upload by name only)', (input) => {
    const spec = ExperimentSpec.parse(input);
    const url = linkUrl('http://lab.test/', { spec, view: defaultView(), autorun: false });
    const decoded = decodeLink(url);
    expect(decoded.ok && decoded.state.spec).toEqual(spec);
  });

  it('refuses a CNN on a task without images', () => {
    const result = validateSpec({ task: { kind: 'toy2d' }, model: { kind: 'cnn' } });
    expect(result.ok ? [] : result.issues).toEqual([{ path: 'model.kind', message: 'The CNN needs an image task (digits or shapes)' }]);
  });
});
