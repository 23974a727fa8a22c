/**
 * Trains an experiment's runs on several worker threads (node:worker_threads), one share of the runs per
 * thread as partitionRuns splits them (a fork with its family; heaviest first to the least loaded share), so
 * every core trains. Each thread loads its own tfjs and trains its runs exactly as one thread would: a run's
 * numbers depend only on the experiment and its own spec, never on which thread or with which neighbours it
 * trained. The main thread only relays progress and collects the shares.
 */
import { Worker } from 'node:worker_threads';
import type { Assets } from '../engine/data/assets';
import { partitionRuns } from '../engine/partition';
import type { RunProgress } from '../engine/trainer';
import type { ExperimentSpec } from '../spec/schema';
import type { CliBackend } from './types';
import type { TrainedShare } from './result';

/** What a thread is given (its workerData). */
export interface ThreadJob {
  spec: ExperimentSpec;
  runIds: string[];
  backend: CliBackend;
  assets: Assets;
  chunkSteps?: number;
}

/** What a thread says: a note for stderr, its runs' progress after each chunk, and finally its share. */
export type ThreadMessage = { kind: 'note'; message: string } | { kind: 'progress'; progress: RunProgress[] } | { kind: 'done'; share: TrainedShare };

export interface TrainOptions {
  /** Threads to spread the runs over (at most one per share of runs); 1 trains in this thread. */
  workers: number;
  backend: CliBackend;
  assets: Assets;
  chunkSteps?: number;
  /** Every run's latest progress, in the spec's order, and the time since training started. */
  onProgress?: (progress: RunProgress[], elapsedMs: number) => void;
  /** Notes for the user (a backend's fallback, said once however many threads hit it). */
  note?: (message: string) => void;
}

/** `runIds` split into at most `workers` non-empty shares; none when there are no runs. */
export function threadShares(spec: ExperimentSpec, runIds: readonly string[], workers: number): string[][] {
  const ids = new Set(runIds);
  return partitionRuns({ runs: spec.runs.filter((r) => ids.has(r.id)), budgetSteps: spec.budgetSteps }, workers).filter((share) => share.length);
}

/**
 * A worker thread running poolThread. Under tsx (`npm run experiment`) that module is TypeScript, and a
 * worker thread does not inherit tsx's loader (Node 20 answers ERR_UNKNOWN_FILE_EXTENSION), so the thread
 * registers tsx before importing it. A runner compiled to JavaScript loads poolThread.js directly.
 */
function startThread(job: ThreadJob): Worker {
  const typescript = import.meta.url.endsWith('.ts');
  const entry = new URL(typescript ? './poolThread.ts' : './poolThread.js', import.meta.url);
  if (!typescript) return new Worker(entry, { workerData: job });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(boot, { eval: true, workerData: job });
}

/**
 * Trains `runIds` of `spec`: in this thread when they form one share (or none), else one worker thread per
 * share. Returns the shares, to be assembled (result.ts) once all are in.
 */
export async function trainShares(spec: ExperimentSpec, runIds: readonly string[], options: TrainOptions): Promise<TrainedShare[]> {
  const shares = threadShares(spec, runIds, options.workers);
  const note = options.note ?? (() => {});
  if (shares.length <= 1) {
    const { initBackend, trainRuns } = await import('./run');
    const backend = await initBackend(options.backend, note);
    return [await trainRuns(spec, runIds, { backend, assets: options.assets, chunkSteps: options.chunkSteps, onProgress: options.onProgress })];
  }

  const t0 = performance.now();
  const latest = new Map<string, RunProgress>();
  const order = spec.runs.map((r) => r.id).filter((id) => runIds.includes(id));
  const notes = new Set<string>();
  const threads = shares.map((ids) => startThread({ spec, runIds: ids, backend: options.backend, assets: options.assets, chunkSteps: options.chunkSteps }));
  try {
    return await Promise.all(
      threads.map(
        (thread) =>
          new Promise<TrainedShare>((resolve, reject) => {
            thread.on('message', (message: ThreadMessage) => {
              if (message.kind === 'note') {
                if (!notes.has(message.message)) note(message.message);
                notes.add(message.message);
              } else if (message.kind === 'progress') {
                for (const p of message.progress) latest.set(p.id, p);
                // Reported once every run has been heard of, so the line always covers the whole experiment.
                if (latest.size === order.length) options.onProgress?.(order.map((id) => latest.get(id)!), performance.now() - t0);
              } else {
                resolve(message.share);
              }
            });
            thread.on('error', reject);
            thread.on('exit', (code) => reject(new Error(`a training thread exited (code ${code}) before finishing its runs`)));
          }),
      ),
    );
  } finally {
    // Threads that finished have exited already; after a failure, the others are stopped.
    await Promise.all(threads.map((t) => t.terminate()));
  }
}
