/**
 * Fuzzing the engine with random valid experiments: every task (uploads fed as generated .csv and .txt
 * bytes), model, regime, optimizer, schedule, noise setting, scheduled change and fork, at small sizes,
 * trained on cpu to the end of a short budget. No exception, no tensor left behind, and every run ends done
 * or diverged — a run that stopped early says why. FUZZ_RUNS sets the number of experiments (default in
 * `npm test`: see CASES).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadShippedAssets } from '../src/cli/run';
import type { Assets } from '../src/engine/data/assets';
import * as tf from '../src/engine/tf';
import { Trainer } from '../src/engine/trainer';
import { validateSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const CASES = Number(process.env.FUZZ_RUNS ?? 24);
const CSV_FILE = 'upload:fuzz.csv';
const TXT_FILE = 'upload:fuzz.txt';

/** The shape of an uploaded table: rows (20 % held out, at least the probe set's 16), features, classes. */
const csvShape = fc.record({ rows: fc.integer({ min: 80, max: 120 }), features: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 2, max: 4 }), seed: fc.integer({ min: 1, max: 1000 }) });
type CsvShape = { rows: number; features: number; classes: number; seed: number };

/** A numeric table with a header, `features` columns and a label column of `classes` classes. */
function csvBytes({ rows, features, classes, seed }: CsvShape): Uint8Array {
  const lines = [[...Array.from({ length: features }, (_, j) => `f${j}`), 'label'].join(',')];
  for (let i = 0; i < rows; i++) {
    const label = i % classes;
    const cells = Array.from({ length: features }, (_, j) => (label + Math.sin(seed * (i + 1) * (j + 2))).toFixed(3));
    lines.push([...cells, `c${label}`].join(','));
  }
  return new TextEncoder().encode(lines.join('\n'));
}

/** A few thousand characters of text from a small alphabet. */
function txtBytes(seed: number): Uint8Array {
  const words = ['lab', 'noise', 'step', 'batch', 'the', 'a', 'runs', 'loss'];
  let text = '';
  for (let i = 0; text.length < 3000; i++) text += words[(seed * (i + 3) + (i >> 2)) % words.length] + (i % 11 === 10 ? '.\n' : ' ');
  return new TextEncoder().encode(text);
}

const small = { probeSize: 16 };
const mlp = fc.record({ kind: fc.constant('mlp' as const), width: fc.integer({ min: 1, max: 8 }), depth: fc.integer({ min: 1, max: 2 }), activation: fc.constantFrom('relu' as const, 'tanh' as const, 'gelu' as const) });
const cnn = fc.record({ kind: fc.constant('cnn' as const), conv1: fc.integer({ min: 1, max: 3 }), conv2: fc.integer({ min: 1, max: 3 }), dense: fc.integer({ min: 1, max: 8 }) });
const transformer = fc
  .record({ layers: fc.integer({ min: 1, max: 2 }), heads: fc.constantFrom(1, 2, 4), perHead: fc.constantFrom(2, 4) })
  .map(({ layers, heads, perHead }) => ({ kind: 'transformer' as const, layers, width: heads * perHead, heads }));
const context = fc.integer({ min: 4, max: 8 });

/** A task with a model that fits it (CNN on images only, the transformer on sequences only). */
const taskAndModel = fc.oneof(
  fc.record({ task: fc.record({ kind: fc.constant('teacher-student' as const), output: fc.constantFrom('classification' as const, 'regression' as const), inputDim: fc.integer({ min: 1, max: 6 }), teacherWidth: fc.integer({ min: 1, max: 6 }), classes: fc.integer({ min: 2, max: 5 }) }), model: mlp }),
  fc.record({ task: fc.record({ kind: fc.constant('toy2d' as const), dataset: fc.constantFrom('spiral' as const, 'circles' as const, 'xor' as const, 'gaussians' as const) }), model: mlp }),
  fc.record({ task: fc.constant({ kind: 'digits' as const }), model: fc.oneof(mlp, cnn) }),
  fc.record({ task: fc.record({ kind: fc.constant('shapes' as const), noise: fc.double({ min: 0, max: 1, noNaN: true }) }), model: fc.oneof(mlp, cnn) }),
  fc.record({ task: fc.constant({ kind: 'csv' as const, file: CSV_FILE }), model: mlp }),
  fc.record({ task: fc.record({ kind: fc.constant('text' as const), corpus: fc.constantFrom('kjv', TXT_FILE), context }), model: transformer }),
  fc.record({ task: fc.record({ kind: fc.constant('markov' as const), alphabet: fc.integer({ min: 2, max: 8 }), order: fc.constantFrom(1, 2), context }), model: transformer }),
);

const runShape = fc.record({
  batchSize: fc.integer({ min: 1, max: 8 }),
  // Up to 1000: some runs diverge, which must be contained and explained.
  learningRate: fc.constantFrom(0.001, 0.05, 0.3, 3, 1000),
  seed: fc.integer({ min: 1, max: 3 }),
  change: fc.option(fc.record({ atStep: fc.integer({ min: 1, max: 4 }), batchFactor: fc.constantFrom(0.5, 1, 2), lrDivisor: fc.constantFrom(1, 4) }), { nil: undefined }),
  forkAt: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
});

const experiment = fc
  .record({
    taskAndModel,
    optimizer: fc.record({ kind: fc.constantFrom('sgd' as const, 'momentum' as const, 'adam' as const) }),
    lrSchedule: fc.oneof(fc.constant({ kind: 'constant' as const }), fc.record({ kind: fc.constant('warmup-cosine' as const), warmupSteps: fc.integer({ min: 0, max: 2 }), finalFactor: fc.double({ min: 0, max: 1, noNaN: true }) })),
    regime: fc.oneof(fc.constant({ kind: 'online' as const }), fc.record({ kind: fc.constant('offline' as const), trainSize: fc.integer({ min: 16, max: 40 }) })),
    noise: fc.record({ enabled: fc.boolean(), microBatches: fc.integer({ min: 2, max: 4 }), every: fc.integer({ min: 1, max: 3 }) }),
    budgetSteps: fc.integer({ min: 5, max: 8 }),
    evalEvery: fc.integer({ min: 1, max: 4 }),
    runs: fc.array(runShape, { minLength: 1, maxLength: 3 }),
    compare: fc.boolean(),
    csv: csvShape,
    txt: fc.integer({ min: 1, max: 1000 }),
  })
  .map(({ taskAndModel, runs, compare, csv, txt, ...rest }): { spec: ExperimentSpecInput; files: { csv: CsvShape; txt: number } } => {
    const ids = runs.map((_, i) => `r${i}`);
    return {
      spec: {
        ...rest,
        ...small,
        ...taskAndModel,
        runs: runs.map(({ forkAt, ...run }, i) => {
          // A fork continues an earlier run's stream, so it takes that run's seed; a change comes after the fork.
          const parent = forkAt !== undefined && i > 0 ? runs[i - 1] : null;
          return {
            ...run,
            id: ids[i],
            ...(parent ? { seed: parent.seed, fork: { parent: ids[i - 1], atStep: forkAt! } } : {}),
            ...(run.change && parent && run.change.atStep <= forkAt! ? { change: undefined } : {}),
          };
        }),
        comparisons: compare && ids.length > 1 ? [{ a: ids[0], b: ids[1] }] : [],
      },
      files: { csv, txt },
    };
  });

describe('random valid experiments train on cpu', () => {
  it(`${CASES} experiments: no exception, every run done or diverged with a reason`, async () => {
    let trained = 0;
    await fc.assert(
      fc.asyncProperty(experiment, async ({ spec: input, files }) => {
        const valid = validateSpec(input);
        // The generator aims at valid specs; the few it misses (e.g. a halved batch that is not whole) are skipped.
        fc.pre(valid.ok);
        if (!valid.ok) return;
        const spec = valid.spec;
        const tensorsBefore = tf.memory().numTensors;
        const uploads: Assets = new Map([
          [CSV_FILE, csvBytes(files.csv)],
          [TXT_FILE, txtBytes(files.txt)],
        ]);
        const trainer = new Trainer(spec, { groupRuns: false, assets: loadShippedAssets(spec, uploads) });
        try {
          for (let i = 0; i < 20 && trainer.active; i++) await trainer.advance(3);
          expect(trainer.active, 'training ended within its budget').toBe(false);
          for (const run of trainer.progress()) {
            expect(['done', 'diverged'], `${run.id}: ${run.status}`).toContain(run.status);
            if (run.status === 'diverged' || run.step < spec.budgetSteps) expect(run.reason, `${run.id} stopped at step ${run.step} and says why`).toMatch(/\w/);
          }
          trained++;
        } finally {
          trainer.dispose();
        }
        expect(tf.memory().numTensors).toBe(tensorsBefore);
      }),
      { numRuns: CASES, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
    expect(trained).toBeGreaterThan(CASES / 2); // most generated specs are valid
  }, 600_000);
});
