/**
 * Samples per second of R stacked runs (one group along the run axis) of three models, on one backend:
 * the default experiment's MLP (teacher–student, B = 128), the CNN on MNIST digits (B = 32) and the
 * presets' transformer on text (B = 16), each with R = 1, 4, 16 and 64 runs that differ only in seed.
 * Noise estimator at its defaults; evaluations are off (they would compile shaders inside the window).
 * Each configuration warms up (first shapes: shader compilation on WebGPU), then trains for --seconds,
 * at least 2 steps. One JSON line per configuration goes to stdout and to --out as soon as it is measured,
 * so a run cut short keeps what it measured. bench/gpu/run.sh runs this bundled (npm run bench:gpu:pack),
 * on a GPU machine without Node; `npx tsx bench/gpu/measure.ts` runs it from the checkout.
 *
 *   --backend webgpu|wasm|cpu   (webgpu: Dawn's Node bindings, src/cli/webgpu.ts)
 *   --runs 1,4,16,64  --models mlp,cnn,transformer  --seconds 5  --budget 450 (seconds for everything)
 *   --separate                  train the runs one by one instead of stacked (to see what stacking buys)
 *   --data DIR                  the shipped data files (default: public/data of the checkout)
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../../src/engine/tf';
import { Trainer } from '../../src/engine/trainer';
import { initBackend, loadShippedAssets } from '../../src/cli/run';
import { ExperimentSpec, type ExperimentSpecInput } from '../../src/spec/schema';
import type { CliBackend } from '../../src/cli/types';

const MODELS: Record<string, { input: ExperimentSpecInput; batch: number; lr: number }> = {
  mlp: { input: {}, batch: 128, lr: 0.1 },
  cnn: { input: { task: { kind: 'digits' }, model: { kind: 'cnn' } }, batch: 32, lr: 0.05 },
  transformer: {
    input: { task: { kind: 'text', corpus: 'kjv', context: 32 }, model: { kind: 'transformer', layers: 2, width: 64, heads: 4 }, optimizer: { kind: 'adam' } },
    batch: 16,
    lr: 0.003,
  },
};

const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'webgpu' },
    runs: { type: 'string', default: '1,4,16,64' },
    models: { type: 'string', default: 'mlp,cnn,transformer' },
    seconds: { type: 'string', default: '5' },
    budget: { type: 'string', default: '450' },
    separate: { type: 'boolean', default: false },
    data: { type: 'string' },
    out: { type: 'string' },
  },
});

function emit(line: Record<string, unknown>): void {
  const text = `${JSON.stringify(line)}\n`;
  process.stdout.write(text);
  if (args.out) appendFileSync(args.out, text);
}

async function measure(name: string, runs: number, seconds: number) {
  const m = MODELS[name];
  const spec = ExperimentSpec.parse({
    ...m.input,
    budgetSteps: 1_000_000,
    evalEvery: 100_000,
    probeSize: 16,
    runs: Array.from({ length: runs }, (_, i) => ({ id: `r${i + 1}`, batchSize: m.batch, learningRate: m.lr, seed: i + 1 })),
  });
  const assets = loadShippedAssets(spec, new Map(), args.data);
  const trainer = new Trainer(spec, { groupRuns: !args.separate, assets });
  try {
    const t0 = performance.now();
    await trainer.advance(2); // first shapes (shader compilation), and a step with the noise estimator
    const warmUpMs = performance.now() - t0;
    let steps = 0;
    const t1 = performance.now();
    while (steps < 2 || performance.now() - t1 < seconds * 1000) {
      await trainer.advance(1);
      steps++;
    }
    const ms = performance.now() - t1;
    const stopped = trainer.progress().filter((p) => p.status !== 'running');
    return {
      samplesPerSecond: Math.round((runs * m.batch * steps * 1000) / ms),
      stepsPerSecond: Number(((steps * 1000) / ms).toFixed(2)),
      steps,
      warmUpMs: Math.round(warmUpMs),
      ...(stopped.length ? { stopped: stopped.map((p) => `${p.id} ${p.status}`) } : {}),
    };
  } finally {
    trainer.dispose();
  }
}

const backend = await initBackend(args.backend as CliBackend, (message) => process.stderr.write(`${message}\n`));
emit({ backend, tfBackend: tf.getBackend(), stacked: !args.separate, node: process.version, date: new Date().toISOString() });
const deadline = performance.now() + Number(args.budget) * 1000;
for (const name of args.models.split(',')) {
  for (const runs of args.runs.split(',').map(Number)) {
    const base = { backend, model: name, runs, batchSize: MODELS[name].batch };
    if (performance.now() > deadline) {
      emit({ ...base, skipped: 'out of time' });
      continue;
    }
    try {
      emit({ ...base, ...(await measure(name, runs, Number(args.seconds))) });
    } catch (err) {
      emit({ ...base, error: String(err).split('\n')[0] });
    }
  }
}
// Dawn's device may keep the event loop alive; everything is written.
process.exit(0);
