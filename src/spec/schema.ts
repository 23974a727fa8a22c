/**
 * The experiment specification: one validated, versioned schema shared by the UI, the link codec, the
 * worker and the headless runner. Every field has a default, so a spec can be written (or linked) with
 * only what differs from the default experiment.
 */
import { z } from './zod';

export const SPEC_VERSION = 1;

function intIn(label: string, min: number, max: number) {
  return z
    .number({ error: `${label} must be a number` })
    .int({ error: `${label} must be a whole number` })
    .min(min, { error: `${label} must be at least ${min}` })
    .max(max, { error: `${label} must be at most ${max}` });
}

function numIn(label: string, min: number, max: number, { exclusiveMin = false } = {}) {
  const base = z.number({ error: `${label} must be a number` }).refine(Number.isFinite, {
    error: `${label} must be a finite number`,
  });
  return base
    .refine((v) => (exclusiveMin ? v > min : v >= min), {
      error: `${label} must be ${exclusiveMin ? 'greater than' : 'at least'} ${min}`,
    })
    .refine((v) => v <= max, { error: `${label} must be at most ${max}` });
}

export const MAX_RUNS = 64;
export const MAX_BATCH = 8192;

export const TeacherStudentTask = z.object({
  kind: z.literal('teacher-student'),
  /** classification: labels sampled from the teacher's softmax; regression: teacher output + Gaussian noise */
  output: z.enum(['classification', 'regression']).default('classification'),
  inputDim: intIn('Input dimension', 1, 1024).default(16),
  teacherWidth: intIn('Teacher width', 1, 1024).default(32),
  classes: intIn('Classes', 2, 100).default(4),
  /** Scales the teacher's logits: larger means sharper labels and a lower Bayes loss. */
  teacherScale: numIn('Teacher logit scale', 0, 100, { exclusiveMin: true }).default(4),
  /** Standard deviation of the regression label noise (the MSE floor is its square). */
  labelNoise: numIn('Label noise', 0, 10).default(0.3),
});

export const TOY_DATASETS = ['spiral', 'circles', 'xor', 'gaussians'] as const;
export const Toy2dTask = z.object({
  kind: z.literal('toy2d'),
  dataset: z.enum(TOY_DATASETS).default('spiral'),
  /** Probability that a label is flipped to the other class. */
  labelNoise: numIn('Label flip probability', 0, 0.5).default(0.05),
});

/** MNIST handwritten digits (shipped, loaded when needed): one pass online, a subset of `trainSize` offline. */
export const DigitsTask = z.object({ kind: z.literal('digits') });

/** An infinite stream of procedurally drawn 32×32 colour shapes and textures, ten classes. */
export const ShapesTask = z.object({
  kind: z.literal('shapes'),
  /** Amplitude of the uniform pixel noise (pixel values are in [0, 1]). */
  noise: numIn('Pixel noise', 0, 1).default(0.1),
});

export const UPLOAD_FILE = /^upload:[^/\\]{1,120}$/;
/** A person's own table (.csv: numeric features and a label column); the file stays on their device. */
export const CsvTask = z.object({
  kind: z.literal('csv'),
  /** "upload:<file name>": named in the link, never carried by it. */
  file: z.string({ error: 'The data file must be named' }).regex(UPLOAD_FILE, { error: 'The data file must be an upload ("upload:<file name>")' }).default('upload:data.csv'),
  /** The label column by its header name; empty means the last column. */
  label: z.string({ error: 'The label column must be text' }).max(200, { error: 'Label column: at most 200 characters' }).default(''),
  /** Fraction of the rows held out for the probe set (a fixed split). */
  heldOut: numIn('Held-out fraction', 0.05, 0.5).default(0.2),
});

/** Shipped corpora of the text task (public/data/<name>.txt); a person's own file is "upload:<name>.txt". */
export const TEXT_CORPORA = ['kjv'] as const;
const CONTEXT = intIn('Context', 4, 128);
export const TextTask = z.object({
  kind: z.literal('text'),
  /** "kjv" (the King James Bible, shipped) or "upload:<file name>.txt": an upload is named in a link, never carried. */
  corpus: z
    .string({ error: 'Corpus must be text' })
    // eslint-disable-next-line no-control-regex
    .regex(/^(kjv|upload:[^/\\\u0000-\u001f]{1,96}\.[tT][xX][tT])$/, { error: 'Corpus: "kjv" or an uploaded .txt file' })
    .default('kjv'),
  /** Characters of context: a sample is a window of context + 1 characters, predicted at every position. */
  context: CONTEXT.default(32),
});

/** A random Markov source over a small alphabet: its entropy rate is the loss floor. */
export const MarkovTask = z.object({
  kind: z.literal('markov'),
  alphabet: intIn('Alphabet', 2, 62).default(12),
  /** Letters of context the source conditions on. */
  order: intIn('Order', 1, 2).default(2),
  /** Dirichlet α of each transition row: smaller means more predictable text and a lower entropy rate. */
  concentration: numIn('Dirichlet α', 0.05, 100).default(0.3),
  context: CONTEXT.default(32),
});

export const TaskSpec = z.discriminatedUnion('kind', [TeacherStudentTask, Toy2dTask, DigitsTask, ShapesTask, CsvTask, TextTask, MarkovTask]);

export const ACTIVATIONS = ['relu', 'tanh', 'gelu'] as const;
export const MlpModel = z.object({
  /** Optional: a model without a kind is an MLP (the only model of the first links). */
  kind: z.literal('mlp').default('mlp'),
  width: intIn('Width', 1, 4096).default(64),
  /** Number of hidden layers. */
  depth: intIn('Depth', 1, 8).default(2),
  activation: z.enum(ACTIVATIONS).default('relu'),
});

/** Two conv(3×3, same)–relu–maxpool(2×2) blocks and a dense head; image tasks only. */
export const CnnModel = z.object({
  kind: z.literal('cnn'),
  conv1: intIn('Conv 1 channels', 1, 64).default(8),
  conv2: intIn('Conv 2 channels', 1, 128).default(16),
  /** Width of the hidden dense layer. */
  dense: intIn('Dense width', 1, 1024).default(64),
});

/** A small decoder-only transformer for the sequence tasks (text, markov): pre-norm, learned positions. */
export const TransformerModel = z.object({
  kind: z.literal('transformer'),
  layers: intIn('Layers', 1, 4).default(2),
  width: intIn('Width', 8, 256).default(64),
  heads: intIn('Heads', 1, 16).default(4),
});

export const ModelSpec = z.discriminatedUnion('kind', [MlpModel, CnnModel, TransformerModel]);

const SEQUENCE_TASKS: readonly string[] = ['text', 'markov'];
/** Offline, the most characters a sequence task's training set may hold (its targets are one-hot: ~0.5 KB each). */
export const MAX_SEQUENCE_TRAIN_CHARS = 524_288;

/** The sequence tasks and the transformer go together; the transformer's width splits into its heads. */
function sequenceIssues(
  spec: { task: { kind: string; context?: number }; model: z.infer<typeof ModelSpec>; regime: z.infer<typeof RegimeSpec> },
  issue: (path: (string | number)[], message: string) => void,
): void {
  const sequence = SEQUENCE_TASKS.includes(spec.task.kind);
  const context = spec.task.context ?? 1;
  if (sequence && spec.regime.kind === 'offline' && spec.regime.trainSize * context > MAX_SEQUENCE_TRAIN_CHARS) {
    const most = Math.floor(MAX_SEQUENCE_TRAIN_CHARS / context);
    issue(['regime', 'trainSize'], `At context ${context} a training set may have at most ${most.toLocaleString('en-US')} windows (${MAX_SEQUENCE_TRAIN_CHARS.toLocaleString('en-US')} characters)`);
  }
  if (sequence && spec.model.kind !== 'transformer') issue(['model', 'kind'], `The ${spec.task.kind} task needs the transformer model`);
  if (!sequence && spec.model.kind === 'transformer') issue(['model', 'kind'], 'The transformer needs a text or Markov task');
  if (spec.model.kind === 'transformer' && spec.model.width % spec.model.heads !== 0) {
    issue(['model', 'heads'], `Width ${spec.model.width} must split evenly into ${spec.model.heads} heads`);
  }
}

export const OptimizerSpec = z.object({
  kind: z.enum(['sgd', 'momentum', 'adam']).default('sgd'),
  momentum: numIn('Momentum', 0, 0.999).default(0.9),
  beta1: numIn('Adam β1', 0, 0.999).default(0.9),
  beta2: numIn('Adam β2', 0, 0.99999).default(0.999),
  epsilon: numIn('Adam ε', 0, 1, { exclusiveMin: true }).default(1e-8),
});

export const LrScheduleSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant') }),
  z.object({
    kind: z.literal('warmup-cosine'),
    warmupSteps: intIn('Warmup steps', 0, 1_000_000).default(100),
    /** The learning rate at the end of the budget, as a fraction of the peak. */
    finalFactor: numIn('Final LR factor', 0, 1).default(0),
  }),
]);

/** Tasks whose inputs are images (Task.inputImage), the ones a CNN can train on. */
export const IMAGE_TASKS: readonly string[] = ['digits', 'shapes'];
/** Training digits in the shipped MNIST file (public/data/mnist.bin.gz). */
export const DIGITS_TRAIN = 60_000;

const RUN_ID = /^[A-Za-z0-9_-]{1,24}$/;

/** A scheduled change of noise: from step `atStep` on, the batch is `batchFactor` × larger and η is ÷ `lrDivisor`. */
export const NoiseChangeSpec = z.object({
  atStep: intIn('Change step', 1, 1_000_000),
  batchFactor: numIn('Batch factor', 0, 1024, { exclusiveMin: true }).default(1),
  lrDivisor: numIn('LR divisor', 0, 1e6, { exclusiveMin: true }).default(1),
});

/** A branch that starts from `parent`'s exact state after `atStep` steps and continues with its own B and η. */
export const ForkSpec = z.object({
  parent: z.string({ error: 'Fork parent must be a run id' }).regex(RUN_ID, { error: 'Fork parent must be a run id' }),
  atStep: intIn('Fork step', 0, 1_000_000),
});

export const RunSpec = z.object({
  id: z.string({ error: 'Run id must be text' }).regex(RUN_ID, { error: 'Run id: 1–24 letters, digits, - or _' }),
  batchSize: intIn('Batch size', 1, MAX_BATCH),
  learningRate: numIn('Learning rate', 0, 100, { exclusiveMin: true }),
  /** Seeds the initialisation and this run's data stream; runs with equal seeds see equal samples. */
  seed: intIn('Seed', 0, 2 ** 31 - 1).default(1),
  change: NoiseChangeSpec.optional(),
  fork: ForkSpec.optional(),
});

export const RegimeSpec = z.discriminatedUnion('kind', [
  /** Every step draws fresh samples from the infinite stream. */
  z.object({ kind: z.literal('online') }),
  /** A fixed training set of `trainSize` samples, reshuffled every epoch. */
  z.object({ kind: z.literal('offline'), trainSize: intIn('Training set size', 16, 200_000).default(2048) }),
]);

/** The gradient-noise estimator (McCandlish et al. 2018): micro-batches per step, cadence and smoothing. */
export const NoiseSpec = z.object({
  enabled: z.boolean().default(true),
  microBatches: intIn('Micro-batches', 2, 64).default(4),
  /** Estimate on every k-th step. */
  every: intIn('Estimate every (steps)', 1, 10_000).default(8),
  /** EMA weight on the previous value, for the numerator and the denominator of B_simple separately. */
  smoothing: numIn('Noise-scale smoothing', 0, 0.9999).default(0.9),
});

/**
 * The loss ladder: held-out losses at which every run records when it first got there and its outputs on
 * the probe set. Geometric from `top` down to `bottom`; each left out takes a default from the task (top:
 * the loss of a constant guess; bottom: close above the Bayes loss where known, else top/10).
 */
export const LadderSpec = z.object({
  levels: intIn('Ladder levels', 2, 40).default(12),
  top: numIn('Ladder top', 0, 1e6, { exclusiveMin: true }).optional(),
  bottom: numIn('Ladder bottom', 0, 1e6, { exclusiveMin: true }).optional(),
});

/**
 * Two runs compared at equal held-out loss. `level` is a loss (it joins every run's ladder) or "lowest":
 * the lowest ladder level both runs have reached, which moves down as they train.
 */
export const ComparisonSpec = z.object({
  a: z.string({ error: 'Comparison run must be a run id' }).regex(RUN_ID, { error: 'Comparison run must be a run id' }),
  b: z.string({ error: 'Comparison run must be a run id' }).regex(RUN_ID, { error: 'Comparison run must be a run id' }),
  level: z.union([z.literal('lowest'), numIn('Comparison level', 0, 1e6, { exclusiveMin: true })], { error: 'Comparison level must be a loss or "lowest"' }).default('lowest'),
});

export const MAX_COMPARISONS = 8;

export const ExperimentSpec = z
  .object({
    version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
    task: TaskSpec.prefault({ kind: 'teacher-student' }),
    /** Seeds the task itself: the teacher network and the probe set. */
    dataSeed: intIn('Data seed', 0, 2 ** 31 - 1).default(1),
    model: ModelSpec.prefault({}),
    optimizer: OptimizerSpec.prefault({}),
    lrSchedule: LrScheduleSpec.prefault({ kind: 'constant' }),
    regime: RegimeSpec.prefault({ kind: 'online' }),
    noise: NoiseSpec.prefault({}),
    budgetSteps: intIn('Budget (steps)', 1, 1_000_000).default(3000),
    evalEvery: intIn('Evaluate every (steps)', 1, 100_000).default(25),
    probeSize: intIn('Probe set size', 16, 8192).default(1024),
    ladder: LadderSpec.prefault({}),
    comparisons: z.array(ComparisonSpec).max(MAX_COMPARISONS, { error: `At most ${MAX_COMPARISONS} comparisons` }).default([]),
    runs: z
      .array(RunSpec)
      .min(1, { error: 'An experiment needs at least one run' })
      .max(MAX_RUNS, { error: `At most ${MAX_RUNS} runs` })
      .default([
        { id: 'b8', batchSize: 8, learningRate: 0.1, seed: 1 },
        { id: 'b32', batchSize: 32, learningRate: 0.1, seed: 1 },
        { id: 'b128', batchSize: 128, learningRate: 0.1, seed: 1 },
        { id: 'b512', batchSize: 512, learningRate: 0.1, seed: 1 },
      ]),
  })
  .superRefine((spec, ctx) => {
    const seen = new Map<string, RunSpec>();
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const maxBatch = spec.regime.kind === 'offline' ? spec.regime.trainSize : MAX_BATCH;
    spec.runs.forEach((run, i) => {
      if (seen.has(run.id)) issue(['runs', i, 'id'], `Run id "${run.id}" is used twice`);
      if (run.batchSize > maxBatch) issue(['runs', i, 'batchSize'], `Batch size must be at most the training set size (${maxBatch})`);
      if (run.change) {
        const { atStep, batchFactor } = run.change;
        const newBatch = run.batchSize * batchFactor;
        if (atStep >= spec.budgetSteps) issue(['runs', i, 'change', 'atStep'], `The change must come before the budget ends (step ${spec.budgetSteps})`);
        if (!Number.isInteger(Math.round(newBatch * 1e9) / 1e9) || newBatch < 1) {
          issue(['runs', i, 'change', 'batchFactor'], `Batch ${run.batchSize} × ${batchFactor} is not a whole batch size`);
        } else if (newBatch > maxBatch) {
          issue(['runs', i, 'change', 'batchFactor'], `Batch ${run.batchSize} × ${batchFactor} = ${newBatch} is over the limit of ${maxBatch}`);
        }
      }
      if (run.fork) {
        const parent = seen.get(run.fork.parent);
        if (!parent) issue(['runs', i, 'fork', 'parent'], `A fork's parent must be a run listed before it ("${run.fork.parent}" is not)`);
        else if (parent.seed !== run.seed) issue(['runs', i, 'seed'], `A fork continues its parent's stream: its seed must be ${parent.seed}`);
        if (run.fork.atStep >= spec.budgetSteps) issue(['runs', i, 'fork', 'atStep'], `The fork must come before the budget ends (step ${spec.budgetSteps})`);
        if (run.change && run.change.atStep <= run.fork.atStep) issue(['runs', i, 'change', 'atStep'], 'A fork\'s change must come after the fork');
      }
      seen.set(run.id, run);
    });
    spec.comparisons.forEach((c, i) => {
      if (c.a === c.b) issue(['comparisons', i, 'b'], `A run cannot be compared with itself ("${c.a}")`);
      for (const side of ['a', 'b'] as const) {
        if (!seen.has(c[side])) issue(['comparisons', i, side], `There is no run "${c[side]}" to compare`);
      }
    });
    const { top, bottom } = spec.ladder;
    if (top !== undefined && bottom !== undefined && bottom >= top) issue(['ladder', 'bottom'], 'The ladder bottom must be below its top');
    if (spec.model.kind === 'cnn' && !IMAGE_TASKS.includes(spec.task.kind)) issue(['model', 'kind'], 'The CNN needs an image task (digits or shapes)');
    if (spec.task.kind === 'digits' && spec.regime.kind === 'offline' && spec.regime.trainSize > DIGITS_TRAIN) issue(['regime', 'trainSize'], `MNIST has ${DIGITS_TRAIN.toLocaleString('en-US')} training digits`);
    sequenceIssues(spec, issue);
    if (spec.lrSchedule.kind === 'warmup-cosine' && spec.lrSchedule.warmupSteps >= spec.budgetSteps) {
      ctx.addIssue({
        code: 'custom',
        path: ['lrSchedule', 'warmupSteps'],
        message: 'Warmup must end before the budget does',
      });
    }
  });

export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
export type ExperimentSpecInput = z.input<typeof ExperimentSpec>;
export type TaskSpec = z.infer<typeof TaskSpec>;
export type ModelSpec = z.infer<typeof ModelSpec>;
export type OptimizerSpec = z.infer<typeof OptimizerSpec>;
export type LrScheduleSpec = z.infer<typeof LrScheduleSpec>;
export type RunSpec = z.infer<typeof RunSpec>;
export type RegimeSpec = z.infer<typeof RegimeSpec>;
export type NoiseSpec = z.infer<typeof NoiseSpec>;
export type NoiseChangeSpec = z.infer<typeof NoiseChangeSpec>;
export type LadderSpec = z.infer<typeof LadderSpec>;
export type ComparisonSpec = z.infer<typeof ComparisonSpec>;

/** One problem with a spec, addressed by the path of the field it concerns (e.g. "runs.2.batchSize"). */
export interface SpecIssue {
  path: string;
  message: string;
}

export type SpecResult = { ok: true; spec: ExperimentSpec } | { ok: false; issues: SpecIssue[] };

export function validateSpec(input: unknown): SpecResult {
  const parsed = ExperimentSpec.safeParse(input);
  if (parsed.success) return { ok: true, spec: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  };
}

export function defaultSpec(): ExperimentSpec {
  return ExperimentSpec.parse({});
}

/** The defaults of a task of the given kind, used when a person switches task. */
export function defaultTask(kind: TaskSpec['kind']): TaskSpec {
  return TaskSpec.parse({ kind });
}

export function formatIssues(issues: SpecIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}
