/**
 * The worker's side of auto's backend race: trains a few steps of the actual experiment on each candidate
 * that passes the self-test and reports its samples/s. It runs in a scout worker that trains nothing else,
 * so the training workers keep training while it measures (ui/training/race.ts decides what to do with the
 * rates, and terminates the scout when its budget is spent even if a step blocks, as a WebGL shader
 * compilation can).
 */
import type { Assets } from '../engine/data/assets';
import { Trainer } from '../engine/trainer';
import type { ExperimentSpec } from '../spec/schema';
import { tryBackend } from './backends';
import type { BackendName, FromWorker } from './protocol';

/**
 * A GPU candidate may take at most this share of the budget: its first step compiles kernels and may not
 * end for seconds, and must not starve the rest. CPU candidates (first in the order) may use all that is left.
 */
const GPU_SHARE = 0.4;
/** Timed training after the warm-up step (the first step of a shape compiles kernels on GPU backends). */
const MEASURE_MS = 200;

class OutOfTime extends Error {}

/** `work`, or OutOfTime when it has not settled by `at` (it goes on in the background; the scout is ended after). */
function by<T>(work: Promise<T>, at: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new OutOfTime()), Math.max(0, at - performance.now()))));
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function samplesOf(trainer: Trainer): number {
  return trainer.progress().reduce((sum, run) => sum + run.samples, 0);
}

/** Samples/s of `spec` on the backend that is now set: one warm-up step, then steps for MEASURE_MS. */
async function measure(trainer: Trainer, until: number): Promise<number> {
  await by(trainer.advance(1), until);
  const start = samplesOf(trainer);
  const t0 = performance.now();
  let steps = 1;
  while (performance.now() - t0 < MEASURE_MS && trainer.active) {
    await by(trainer.advance(steps), until);
    steps *= 2;
  }
  return ((samplesOf(trainer) - start) * 1000) / (performance.now() - t0);
}

export async function race(
  spec: ExperimentSpec,
  candidates: BackendName[],
  budgetMs: number,
  loadAssets: (spec: ExperimentSpec) => Promise<void>,
  assets: Assets,
  post: (message: FromWorker) => void,
): Promise<void> {
  const deadline = performance.now() + budgetMs;
  await loadAssets(spec);
  for (const [i, name] of candidates.entries()) {
    const gpu = name === 'webgpu' || name === 'webgl';
    const until = gpu ? Math.min(deadline, performance.now() + budgetMs * GPU_SHARE) : deadline;
    if (until - performance.now() < MEASURE_MS) {
      candidates.slice(i).forEach((rest) => post({ type: 'rate', backend: rest, samplesPerSecond: null, note: `not measured: the race's ${budgetMs} ms were spent` }));
      break;
    }
    const started = performance.now();
    const notices: string[] = [];
    let trainer: Trainer | null = null;
    try {
      const info = await by(tryBackend(name, name, notices), until);
      if (!info) {
        post({ type: 'rate', backend: name, samplesPerSecond: null, note: notices.join('; ') });
        continue;
      }
      trainer = new Trainer(spec, { groupRuns: info.groupedRuns, assets });
      const rate = await measure(trainer, until);
      post({ type: 'rate', backend: name, samplesPerSecond: rate, note: info.adapter ? `on ${info.adapter}` : '' });
    } catch (err) {
      const note = err instanceof OutOfTime ? `not measured: no step finished within ${Math.round(until - started)} ms` : `failed: ${err instanceof Error ? err.message : String(err)}`;
      post({ type: 'rate', backend: name, samplesPerSecond: null, note });
      // A candidate cut off mid-step still has work in flight on its backend: the race cannot go on safely.
      if (err instanceof OutOfTime) {
        candidates.slice(i + 1).forEach((rest) => post({ type: 'rate', backend: rest, samplesPerSecond: null, note: `not measured: ${name} was still busy` }));
        break;
      }
    } finally {
      trainer?.dispose();
    }
  }
  post({ type: 'raceDone' });
}
