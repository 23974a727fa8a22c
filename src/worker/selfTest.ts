/**
 * A short seeded training run compared with the cpu backend: some devices have returned wrong numbers
 * (USERS.md), and a backend that silently computes garbage would mislead everyone who trusts the charts.
 */
import { ExperimentSpec } from '../spec/schema';
import * as tf from '../engine/tf';
import { Trainer } from '../engine/trainer';

const SELF_TEST_SPEC = ExperimentSpec.parse({
  task: { kind: 'teacher-student', inputDim: 8, teacherWidth: 8, classes: 3 },
  model: { width: 16, depth: 2, activation: 'gelu' },
  optimizer: { kind: 'adam' },
  budgetSteps: 6,
  evalEvery: 3,
  probeSize: 32,
  runs: [
    { id: 'a', batchSize: 4, learningRate: 0.01, seed: 1 },
    { id: 'b', batchSize: 4, learningRate: 0.02, seed: 2 },
  ],
});

async function lossesOn(backend: string, groupRuns: boolean): Promise<number[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  const trainer = new Trainer(SELF_TEST_SPEC, { groupRuns });
  try {
    const rows = await trainer.advance(SELF_TEST_SPEC.budgetSteps);
    return [...rows.values()].flatMap((r) => r.flatMap((row) => [row.trainLoss, row.evalLoss ?? 0]));
  } finally {
    trainer.dispose();
  }
}

/** Trains the self-test on `backend` and on cpu; returns the largest relative difference of the losses. */
/** cpu's losses, computed once per process: a race self-tests several backends against them. */
let cpuLosses: Promise<number[]> | null = null;

export async function selfTest(backend: string, groupRuns: boolean): Promise<number> {
  const reference = await (cpuLosses ??= lossesOn('cpu', false));
  const measured = await lossesOn(backend, groupRuns);
  return Math.max(...reference.map((r, i) => Math.abs(measured[i] - r) / Math.max(1e-6, Math.abs(r))));
}

/** float32 rounding differs between backends; losses over 6 steps agree to ~1e-6 on a sound backend. */
export const SELF_TEST_TOLERANCE = 1e-3;
