/** Named experiments with a sentence on what to look for. Each is a spec input; the schema fills the rest. */
import type { ExperimentSpecInput } from './schema';

export interface Preset {
  name: string;
  title: string;
  lookFor: string;
  spec: ExperimentSpecInput;
}

const batchSweep = [8, 32, 128, 512].map((b) => ({ id: `b${b}`, batchSize: b, learningRate: 0.1 }));

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
];

export function findPreset(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
