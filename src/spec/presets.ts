/** Named experiments with a sentence on what to look for. Each is a spec input; the schema fills the rest. */
import type { ExperimentSpecInput } from './schema';

export interface Preset {
  name: string;
  title: string;
  lookFor: string;
  spec: ExperimentSpecInput;
}

const batchSweep = [8, 32, 128, 512].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.1 }));

/** The offline regime of the offline presets: 1,024 samples, so 3,000 steps are many epochs for every batch. */
const offline1024 = { kind: 'offline', trainSize: 1024 } as const;

/** Protocol 2's step of the noise cut, a third of the default 3,000-step budget. */
const CUT_AT = 1000;

/**
 * Protocol 2 (noise reduction): a noisy run (B = 8), the same run with its batch raised ×8 at step t₀, a
 * low-noise run (B = 64) from the start, and a fork of the noisy run at t₀ with B = 64. The fork starts from
 * the noisy run's exact state and stream position, so it must retrace the scheduled cut exactly: a check
 * that both mechanisms do the same thing.
 */
const noiseCutRuns = [
  { id: 'b8', batchSize: 8, learningRate: 0.1 },
  { id: 'b8-cut', batchSize: 8, learningRate: 0.1, change: { atStep: CUT_AT, batchFactor: 8, lrDivisor: 1 } },
  { id: 'b64', batchSize: 64, learningRate: 0.1 },
  { id: 'b8-fork', batchSize: 64, learningRate: 0.1, fork: { parent: 'b8', atStep: CUT_AT } },
];

/**
 * Protocol 3 (equal-loss distance): a noisy run (B = 8) and a low-noise one (B = 128), each with a seed twin,
 * compared at equal held-out loss. The twins give both the baseline and a second pair.
 */
const equalLossRuns = [
  { id: 'b8', batchSize: 8, learningRate: 0.1 },
  { id: 'b128', batchSize: 128, learningRate: 0.1 },
  { id: 'b128-s2', batchSize: 128, learningRate: 0.1, seed: 2 },
];
const equalLossComparisons = [{ a: 'b8', b: 'b128' }];

export const PRESETS: Preset[] = [
  {
    name: 'online-batch-sweep',
    title: 'Online batch sweep (teacher–student)',
    lookFor:
      'Against steps, every larger batch is at or below every smaller one: online, less noise is never worse per step. Switch the x-axis to samples seen to see the other side: small batches use each sample better.',
    spec: { runs: batchSweep },
  },
  {
    name: 'online-lr-sweep',
    title: 'Online learning-rate sweep at B = 32',
    lookFor:
      'Against steps a larger η moves faster but settles higher (more noise); against η·steps the curves nearly coincide early on, as along one path.',
    spec: {
      runs: [0.025, 0.05, 0.1, 0.2].map((lr) => ({ id: `lr${String(lr).replace('.', 'p')}`, batchSize: 32, learningRate: lr })),
    },
  },
  {
    name: 'regression-sweep',
    title: 'Teacher–student regression',
    lookFor: 'The dashed floor is the label-noise variance σ²; bigger batches approach it sooner per step.',
    spec: { task: { kind: 'teacher-student', output: 'regression' }, runs: batchSweep.map((r) => ({ ...r, learningRate: 0.05 })) },
  },
  {
    name: 'spiral-sweep',
    title: '2-D spiral, batch sweep',
    lookFor: 'A harder, lower-dimensional problem: the same ordering by batch size holds per step.',
    spec: {
      task: { kind: 'toy2d', dataset: 'spiral' },
      model: { width: 32, depth: 3, activation: 'tanh' },
      optimizer: { kind: 'adam' },
      runs: [8, 32, 128].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.01 })),
    },
  },
  {
    name: 'seed-pair',
    title: 'Two seeds, two noise levels',
    lookFor: 'Runs differing only in seed trace nearly the same curve; the batch size, not the seed, sets the gap.',
    spec: {
      runs: [
        { id: 'b16-s1', batchSize: 16, learningRate: 0.1, seed: 1 },
        { id: 'b16-s2', batchSize: 16, learningRate: 0.1, seed: 2 },
        { id: 'b256-s1', batchSize: 256, learningRate: 0.1, seed: 1 },
        { id: 'b256-s2', batchSize: 256, learningRate: 0.1, seed: 2 },
      ],
    },
  },
  {
    name: 'offline-batch-sweep',
    title: 'Offline batch sweep: 1,024 training samples, many epochs',
    lookFor:
      'Every run memorises its 1,024 samples (train-set loss falls towards 0 while held-out loss turns up), and late in training the smallest batch ends lowest on held-out loss, the reverse of the online ordering.',
    spec: { regime: offline1024, runs: batchSweep },
  },
  {
    name: 'online-noise-cut',
    title: 'Online noise cut: B ×8 at step 1,000, and a fork',
    lookFor:
      'At step 1,000 the cut run (and its twin, the fork, which lies exactly on it) drops at once onto the low-noise B = 64 curve and stays there, while the uncut B = 8 run stays above: online, cutting noise only ever helps.',
    spec: { runs: noiseCutRuns },
  },
  {
    name: 'offline-noise-cut',
    title: 'Offline noise cut: the same on 2,048 training samples',
    lookFor:
      'Offline the cut still drops the train-set loss at once, but it helps held-out loss only for a while: by the end the uncut noisy B = 8 run is lowest and the low-noise B = 64 run highest, a fork in the road that the online preset never shows.',
    // The default training set (2,048 samples): 12 epochs for B = 8, nearly 100 for B = 64.
    spec: { regime: { kind: 'offline' }, runs: noiseCutRuns },
  },
  {
    name: 'equal-loss-online',
    title: 'Equal-loss distance, online: B = 8 against B = 128 and a seed twin',
    lookFor:
      'In the comparison below, at each loss level the two noise levels are about as far apart in function space as two B = 128 runs that differ only in seed: one golden path, whatever the noise.',
    spec: { runs: equalLossRuns, comparisons: equalLossComparisons },
  },
  {
    name: 'equal-loss-offline',
    title: 'Equal-loss distance, offline: the same on 1,024 training samples',
    lookFor:
      'Offline the held-out loss stops falling after a few epochs, so the ladder ends higher than online; at the levels both reach, set the pair against the seed baseline (on this small task we measured it still below: TV 0.13 against 0.21 at loss 0.874), so here the fork in the road shows in the loss curves, not yet in function space.',
    spec: { regime: offline1024, runs: equalLossRuns, comparisons: equalLossComparisons },
  },
];

/** Protocol 1 on real images: MNIST with the CNN (small probe set, so a CPU keeps up). */
const digitsCnn = { task: { kind: 'digits' }, model: { kind: 'cnn' }, probeSize: 512, evalEvery: 20 } as const;
const digitsSweep = [8, 32, 128].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.1 }));
PRESETS.push(
  {
    name: 'digits-online-batch-sweep',
    title: 'Online batch sweep on MNIST digits (CNN)',
    lookFor:
      'Real images, one pass: against steps the larger batch is at or below the smaller one all along (the B = 128 run uses 51,200 of the 60,000 training digits in 400 steps); against samples seen, B = 8 gets more out of each digit.',
    spec: { ...digitsCnn, budgetSteps: 400, runs: digitsSweep },
  },
  {
    name: 'digits-offline-batch-sweep',
    title: 'Offline batch sweep on 512 MNIST digits (CNN), many epochs',
    lookFor:
      'The same sweep on a fixed set of 512 digits: the train-set loss (dashed) of every run falls far below its held-out loss, and late in training the small batch ends at or below the large ones on held-out loss, unlike online.',
    spec: { ...digitsCnn, regime: { kind: 'offline', trainSize: 512 }, budgetSteps: 800, runs: digitsSweep },
  },
);

/**
 * Protocol 1 on language: character-level prediction of the King James Bible with a 2-layer transformer
 * (width 64, context 32) and Adam at one learning rate for every batch size. Budgets are modest: on a 2-core
 * CPU with wasm a step at B = 64 takes about a second.
 */
const textModel = { kind: 'transformer', layers: 2, width: 64, heads: 4 } as const;
const textSweep = {
  task: { kind: 'text', corpus: 'kjv', context: 32 },
  model: textModel,
  optimizer: { kind: 'adam' },
  budgetSteps: 300,
  evalEvery: 25,
  probeSize: 128,
  runs: [4, 16, 64].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.003 })),
} as const;

PRESETS.push(
  {
    name: 'text-online-batch-sweep',
    title: 'Language, online: batch sweep on the King James Bible (transformer)',
    lookFor:
      'Every window of text is fresh (a single pass), and against steps the larger batch is never worse: B = 64 leads B = 16, which leads B = 4, all the way; against samples seen the order flips, small batches learn more per character read.',
    spec: textSweep,
  },
  {
    name: 'text-offline-batch-sweep',
    title: 'Language, offline: the same sweep on 256 windows (8 KB of text), many epochs',
    lookFor:
      'The training-set loss (dashed) of B = 64 dives towards 0 as it memorises its 8 KB over ~75 epochs while its held-out loss turns up steeply, and by the end the noisiest run, B = 4, is lowest on held-out text: the reverse of the online order.',
    // The default probe set (1,024 held-out windows): a field less keeps the preset's link under 300 characters.
    spec: { ...textSweep, probeSize: undefined, regime: { kind: 'offline', trainSize: 256 } },
  },
  {
    name: 'markov-online-batch-sweep',
    title: 'Synthetic language (order-2 Markov source): batch sweep down to the entropy floor',
    lookFor:
      'The dashed line is the source’s exact entropy rate, the best any model can do; larger batches approach it in fewer steps, and no run goes below it.',
    spec: {
      task: { kind: 'markov' },
      model: { ...textModel, layers: 1 },
      optimizer: { kind: 'adam' },
      budgetSteps: 300,
      evalEvery: 25,
      probeSize: 128,
      runs: [4, 16, 64].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.003 })),
    },
  },
);

/**
 * The gallery's demos on images and language: protocol 1 sized to finish in about a minute of CPU on wasm
 * (so within 3 minutes on a shared 2-core machine with the page drawing), each with a verdict that the
 * headless runner checks at exactly these settings (test/demos.test.ts).
 */
PRESETS.push(
  {
    name: 'digits-online-demo',
    title: 'Demo: online batch sweep on MNIST digits (CNN), B = 16 and 64',
    lookFor:
      'Real images, each digit seen once: against steps the B = 64 curve sits below B = 16 at nearly every evaluation (the verdict counts them), while against samples seen B = 16 gets more out of each digit.',
    spec: { ...digitsCnn, probeSize: 256, evalEvery: 25, budgetSteps: 300, runs: [16, 64].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.1 })) },
  },
  {
    name: 'markov-online-demo',
    title: 'Demo: online batch sweep on a synthetic language (transformer), B = 8 and 32, with its entropy floor',
    lookFor:
      'The dashed line is the source’s exact entropy rate; against steps B = 32 falls towards it well ahead of B = 8 at every evaluation, and neither goes below it.',
    spec: {
      task: { kind: 'markov' },
      model: { ...textModel, layers: 1 },
      optimizer: { kind: 'adam' },
      budgetSteps: 250,
      evalEvery: 25,
      probeSize: 128,
      runs: [8, 32].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.003 })),
    },
  },
);

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
