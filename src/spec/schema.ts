/**
 * The experiment specification: one validated, versioned schema shared by the UI, the link codec, the
 * worker and the headless runner. Every field has a default, so a spec can be written (or linked) with
 * only what differs from the default experiment.
 */
import { z } from 'zod';

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

export const TaskSpec = z.discriminatedUnion('kind', [TeacherStudentTask, Toy2dTask]);

export const ACTIVATIONS = ['relu', 'tanh', 'gelu'] as const;
export const ModelSpec = z.object({
  kind: z.literal('mlp').default('mlp'),
  width: intIn('Width', 1, 4096).default(64),
  /** Number of hidden layers. */
  depth: intIn('Depth', 1, 8).default(2),
  activation: z.enum(ACTIVATIONS).default('relu'),
});

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

export const RunSpec = z.object({
  id: z
    .string({ error: 'Run id must be text' })
    .regex(/^[A-Za-z0-9_-]{1,24}$/, { error: 'Run id: 1–24 letters, digits, - or _' }),
  batchSize: intIn('Batch size', 1, MAX_BATCH),
  learningRate: numIn('Learning rate', 0, 100, { exclusiveMin: true }),
  /** Seeds the initialisation and this run's data stream; runs with equal seeds see equal samples. */
  seed: intIn('Seed', 0, 2 ** 31 - 1).default(1),
});

export const ExperimentSpec = z
  .object({
    version: z.literal(SPEC_VERSION).default(SPEC_VERSION),
    task: TaskSpec.prefault({ kind: 'teacher-student' }),
    /** Seeds the task itself: the teacher network and the probe set. */
    dataSeed: intIn('Data seed', 0, 2 ** 31 - 1).default(1),
    model: ModelSpec.prefault({}),
    optimizer: OptimizerSpec.prefault({}),
    lrSchedule: LrScheduleSpec.prefault({ kind: 'constant' }),
    budgetSteps: intIn('Budget (steps)', 1, 1_000_000).default(3000),
    evalEvery: intIn('Evaluate every (steps)', 1, 100_000).default(25),
    probeSize: intIn('Probe set size', 16, 8192).default(1024),
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
    const seen = new Set<string>();
    spec.runs.forEach((run, i) => {
      if (seen.has(run.id)) {
        ctx.addIssue({ code: 'custom', path: ['runs', i, 'id'], message: `Run id "${run.id}" is used twice` });
      }
      seen.add(run.id);
    });
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
