import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExperimentResult } from '../../src/cli/result';
import type { ExperimentSpecInput } from '../../src/spec/schema';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A small sweep with what splitting must respect: a family of forks three deep, seed twins, a scheduled
 * change, and comparisons at the lowest shared level and at a fixed one (each reached within the budget).
 */
export const SMALL_SWEEP: ExperimentSpecInput = {
  model: { width: 16, depth: 1 },
  probeSize: 32,
  budgetSteps: 40,
  evalEvery: 10,
  ladder: { levels: 3, top: 1.6, bottom: 1.3 },
  runs: [
    { id: 'a', batchSize: 4, learningRate: 0.3 },
    { id: 'b', batchSize: 8, learningRate: 0.3, seed: 2 },
    { id: 'b-twin', batchSize: 8, learningRate: 0.3, seed: 3 },
    { id: 'a-fork', batchSize: 16, learningRate: 0.3, fork: { parent: 'a', atStep: 10 } },
    { id: 'c', batchSize: 4, learningRate: 0.2, seed: 4, change: { atStep: 20, batchFactor: 4, lrDivisor: 1 } },
    { id: 'a-fork-fork', batchSize: 32, learningRate: 0.3, fork: { parent: 'a-fork', atStep: 20 } },
  ],
  comparisons: [
    { a: 'a', b: 'b' },
    { a: 'b', b: 'c', level: 1.5 },
  ],
};

/** A results file without its wall-clock fields: what must be equal between two runs of one experiment. */
export function withoutTimings(result: ExperimentResult) {
  return {
    ...result,
    runs: result.runs.map((run) => ({ ...run, wallMs: 0, samplesPerSecond: 0, metrics: run.metrics.map((row) => ({ ...row, wallMs: 0 })) })),
  };
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the runner's commands (src/cli/NAME.ts) through tsx's own launcher, exactly as `npm run NAME` does. */
export function runnerCommand(name: 'experiment' | 'merge', args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      `${ROOT}node_modules/.bin/tsx`,
      [`src/cli/${name}.ts`, ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}
