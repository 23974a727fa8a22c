import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExperimentResult } from '../../src/cli/result';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
