/**
 * The lab's engine side by side with the peer way of training in tfjs, in one Node process on one backend
 * (wasm by default), alternating short bursts of each so that both see the same load:
 *   - MLP 32-128-128-1 (MSE, teacher–student regression) and 784-256-256-10 (cross-entropy, MNIST digits)
 *     at B = 8, 64 and 512: the lab's Trainer (one run, plain SGD, noise estimator and evaluations off;
 *     it generates its own data every step) against a tf.sequential of the same layers trained with
 *     trainOnBatch on pre-made batches. Reported as lab ÷ peer samples per second.
 *   - Before and after: steps per second of the CNN on digits at B = 32 and of the transformer on text at
 *     B = 16 (the presets' sizes, noise estimator at its defaults, evaluations as in the image and language
 *     benchmarks), this engine against the engine of an earlier commit (default 9420165, before the lean
 *     step), whose src/ is extracted with `git archive` into bench-results/ so that both share this
 *     checkout's tfjs.
 *   - Stacking: 4 runs trained as one group along the run axis against one group per run.
 * Run alone with `npm run bench:peer [-- --seconds N --backend wasm|cpu --before REF --sections mlp,before,stacking]`, or as part of
 * `npm run bench`. Each figure is the median over the bursts of its pair; ratios come from the same run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '../src/engine/tf';
import { Trainer } from '../src/engine/trainer';
import { loadShippedAssets } from '../src/cli/run';
import { Domain, hashKeys } from '../src/engine/rng';
import { createTask } from '../src/engine/tasks';
import { ExperimentSpec, type ExperimentSpecInput } from '../src/spec/schema';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Something that trains for a number of steps and says when they are done. */
type Trainee = (steps: number) => Promise<void>;

/** Median ms per step of each trainee over alternating bursts of about `burstMs`, `seconds` in all. */
async function alternate(trainees: Trainee[], seconds: number, burstMs = 250): Promise<number[]> {
  // Warm-up (first shapes), then a burst length in steps from the time of one more step.
  const perStep: number[] = [];
  for (const train of trainees) {
    await train(2);
    const t0 = performance.now();
    await train(1);
    perStep.push(Math.max(performance.now() - t0, 0.05));
  }
  const steps = perStep.map((ms) => Math.max(1, Math.round(burstMs / ms)));
  const samples: number[][] = trainees.map(() => []);
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || samples[0].length < 3) {
    for (let i = 0; i < trainees.length; i++) {
      const t0 = performance.now();
      await trainees[i](steps[i]);
      samples[i].push((performance.now() - t0) / steps[i]);
    }
  }
  return samples.map((list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]);
}

/** The lab's engine on one run of `spec`, `steps` steps per call (losses read back once per call). */
function labTrainee(TrainerClass: typeof Trainer, spec: ExperimentSpec, groupRuns = false): { train: Trainee; dispose: () => void } {
  const trainer = new TrainerClass(spec, { groupRuns, assets: loadShippedAssets(spec, new Map()) });
  return {
    train: async (steps) => {
      await trainer.advance(steps);
      // A run that stopped (diverged, done) would train nothing, and its speed would be meaningless.
      for (const run of trainer.progress()) {
        if (run.status !== 'running') throw new Error(`the lab's run ${run.id} stopped at step ${run.step}: ${run.status} ${run.reason ?? ''}`);
      }
    },
    dispose: () => trainer.dispose(),
  };
}

interface MlpCase {
  name: string;
  input: ExperimentSpecInput;
  width: number;
  loss: 'meanSquaredError' | 'categoricalCrossentropy';
}

/** Plain SGD's learning rate, small enough that B = 8 never diverges on either task. */
const LR = 0.01;

const MLPS: MlpCase[] = [
  { name: 'MLP 32-128-128-1, MSE', input: { task: { kind: 'teacher-student', output: 'regression', inputDim: 32 }, model: { kind: 'mlp', width: 128, depth: 2 } }, width: 128, loss: 'meanSquaredError' },
  { name: 'MLP 784-256-256-10, cross-entropy', input: { task: { kind: 'digits' }, model: { kind: 'mlp', width: 256, depth: 2 } }, width: 256, loss: 'categoricalCrossentropy' },
];

/** tf.sequential of the same layers, compiled the usual way, trained with trainOnBatch on 8 pre-made batches of the task's data. */
function peerTrainee(c: MlpCase, spec: ExperimentSpec, batch: number): { train: Trainee; dispose: () => void } {
  const task = createTask(spec.task, spec.dataSeed, loadShippedAssets(spec, new Map()));
  const classification = c.loss === 'categoricalCrossentropy';
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [task.inputDim], units: c.width, activation: 'relu' }),
      tf.layers.dense({ units: c.width, activation: 'relu' }),
      tf.layers.dense({ units: task.outputDim, activation: classification ? 'softmax' : 'linear' }),
    ],
  });
  model.compile({ optimizer: tf.train.sgd(LR), loss: c.loss });
  const batches = Array.from({ length: 8 }, (_, i) => {
    const x = new Float32Array(batch * task.inputDim);
    const y = new Float32Array(batch * task.outputDim);
    task.fill(hashKeys(spec.dataSeed, Domain.train, 1), i * batch, batch, x, y);
    return [tf.tensor2d(x, [batch, task.inputDim]), tf.tensor2d(y, [batch, task.outputDim])] as const;
  });
  let next = 0;
  return {
    train: async (steps) => {
      for (let s = 0; s < steps; s++) {
        const [x, y] = batches[next++ % batches.length];
        await model.trainOnBatch(x, y);
      }
    },
    dispose: () => {
      model.dispose();
      tf.dispose(batches.flat());
    },
  };
}

async function mlpVersusPeer(seconds: number) {
  const rows = [];
  for (const c of MLPS) {
    for (const batch of [8, 64, 512]) {
      process.stderr.write(`peer: ${c.name}, B = ${batch}…\n`);
      const spec = ExperimentSpec.parse({
        ...c.input,
        optimizer: { kind: 'sgd' },
        noise: { enabled: false },
        budgetSteps: 1_000_000,
        evalEvery: 100_000,
        probeSize: 16,
        runs: [{ id: 'r', batchSize: batch, learningRate: LR }],
      });
      const lab = labTrainee(Trainer, spec);
      const peer = peerTrainee(c, spec, batch);
      try {
        const [labMs, peerMs] = await alternate([lab.train, peer.train], seconds);
        rows.push({
          model: c.name,
          batchSize: batch,
          labSamplesPerSecond: Math.round((batch * 1000) / labMs),
          peerSamplesPerSecond: Math.round((batch * 1000) / peerMs),
          labOverPeer: Number((peerMs / labMs).toFixed(2)),
        });
      } finally {
        lab.dispose();
        peer.dispose();
      }
    }
  }
  return rows;
}

/** bench-results/before-REF/src: the engine of commit REF, extracted once. */
function extractBefore(ref: string): string {
  const dir = `${ROOT}bench-results/before-${ref}`;
  if (!existsSync(`${dir}/src/engine/trainer.ts`)) {
    mkdirSync(dir, { recursive: true });
    const archive = execFileSync('git', ['archive', ref, 'src'], { cwd: ROOT, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
  }
  return dir;
}

const BEFORE_AFTER: { name: string; input: ExperimentSpecInput; batch: number; lr: number }[] = [
  { name: 'digits + CNN', input: { task: { kind: 'digits' }, model: { kind: 'cnn' }, probeSize: 256, evalEvery: 50 }, batch: 32, lr: 0.05 },
  {
    name: 'text + transformer',
    input: { task: { kind: 'text', corpus: 'kjv', context: 32 }, model: { kind: 'transformer', layers: 2, width: 64, heads: 4 }, optimizer: { kind: 'adam' }, probeSize: 128, evalEvery: 25 },
    batch: 16,
    lr: 0.003,
  },
];

async function beforeAfter(seconds: number, ref: string) {
  const dir = extractBefore(ref);
  const before = (await import(`${dir}/src/engine/trainer.ts`)) as { Trainer: typeof Trainer };
  const rows = [];
  for (const c of BEFORE_AFTER) {
    process.stderr.write(`before/after: ${c.name}…\n`);
    const spec = ExperimentSpec.parse({ ...c.input, budgetSteps: 1_000_000, runs: [{ id: 'r', batchSize: c.batch, learningRate: c.lr }] });
    const after = labTrainee(Trainer, spec);
    const old = labTrainee(before.Trainer, spec);
    try {
      const [afterMs, beforeMs] = await alternate([after.train, old.train], seconds, 1000);
      rows.push({
        task: c.name,
        batchSize: c.batch,
        stepsPerSecondBefore: Number((1000 / beforeMs).toFixed(1)),
        stepsPerSecondAfter: Number((1000 / afterMs).toFixed(1)),
        afterOverBefore: Number((beforeMs / afterMs).toFixed(2)),
      });
    } finally {
      after.dispose();
      old.dispose();
    }
  }
  return { before: ref, rows };
}

/**
 * Whether stacking runs along the run axis pays on this backend: 4 runs at one batch size (seeds 1–4),
 * trained as one group against one group per run, for the MLP of the default experiment (B = 128), the
 * CNN and the transformer of the before/after section. Reported as stacked ÷ separate samples per second.
 */
async function stacking(seconds: number) {
  const cases = [{ name: 'default MLP (teacher–student)', input: {}, batch: 128, lr: 0.1 }, ...BEFORE_AFTER];
  const rows = [];
  for (const c of cases) {
    process.stderr.write(`stacking: ${c.name}…\n`);
    const spec = ExperimentSpec.parse({ ...c.input, budgetSteps: 1_000_000, evalEvery: 100_000, runs: [1, 2, 3, 4].map((seed) => ({ id: `r${seed}`, batchSize: c.batch, learningRate: c.lr, seed })) });
    const stacked = labTrainee(Trainer, spec, true);
    const separate = labTrainee(Trainer, spec, false);
    try {
      const [stackedMs, separateMs] = await alternate([stacked.train, separate.train], seconds, 1000);
      rows.push({ model: c.name, runs: 4, batchSize: c.batch, stackedOverSeparate: Number((separateMs / stackedMs).toFixed(2)) });
    } finally {
      stacked.dispose();
      separate.dispose();
    }
  }
  return rows;
}

const SECTIONS = ['mlp', 'before', 'stacking'] as const;

export async function measurePeer(options: { seconds: number; backend?: string; before?: string; sections?: readonly string[] }) {
  const backend = options.backend ?? 'wasm';
  const sections = new Set(options.sections ?? SECTIONS);
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not start`);
  return {
    backend: `${backend} (Node, one thread)`,
    note: 'lab ÷ peer and after ÷ before are ratios of medians over alternating bursts in one process',
    mlp: sections.has('mlp') ? await mlpVersusPeer(options.seconds) : null,
    beforeAfter: sections.has('before') ? await beforeAfter(options.seconds * 2, options.before ?? '9420165') : null,
    stacking: sections.has('stacking') ? await stacking(options.seconds * 2) : null,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '4' },
      backend: { type: 'string', default: 'wasm' },
      before: { type: 'string', default: '9420165' },
      sections: { type: 'string', default: SECTIONS.join(',') },
    },
  });
  const result = await measurePeer({ seconds: Number(values.seconds), backend: values.backend, before: values.before, sections: values.sections.split(',') });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
