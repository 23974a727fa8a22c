/**
 * Trains an experiment's runs to completion in Node on tfjs's wasm, cpu or webgpu backend (result.ts shapes
 * the JSON).
 * This module loads tfjs; the engine itself stays free of anything Node-specific.
 */
import * as tf from '../engine/tf';
// Registers the 'wasm' backend. In Node its .wasm binaries load from node_modules (no setWasmPaths needed).
import '@tensorflow/tfjs-backend-wasm';
import { Trainer, type MetricRow, type RunProgress } from '../engine/trainer';
import type { ExperimentSpec } from '../spec/schema';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MissingAssetError, isUpload, type Assets } from '../engine/data/assets';
import { assetsFor } from '../engine/tasks';
import { assembleResult, type ExperimentResult, type TrainedShare } from './result';
import type { CliBackend, MetricOut } from './types';

/**
 * Selects the backend; wasm falls back to cpu when it cannot start (the note goes to `warn`); webgpu without
 * the package or an adapter throws a UsageError.
 * Returns the backend that will actually run.
 */
export async function initBackend(requested: CliBackend, warn: (message: string) => void): Promise<CliBackend> {
  if (requested === 'webgpu') {
    const { startWebGpu } = await import('./webgpu');
    warn(`WebGPU adapter: ${await startWebGpu()}`);
    return 'webgpu';
  }
  if (requested === 'wasm') {
    let ok = false;
    try {
      ok = await tf.setBackend('wasm');
    } catch (err) {
      warn(`note: ${(err as Error).message}`);
    }
    if (ok) return 'wasm';
    warn('note: the wasm backend failed to initialise; running on the cpu backend instead.');
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  return 'cpu';
}

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function metricOut(row: MetricRow): MetricOut {
  // The trainer sets optional fields only where measured, so spreading keeps "only where evaluated".
  return {
    ...row,
    trainLoss: finiteOrNull(row.trainLoss),
    ...(row.evalLoss !== undefined ? { evalLoss: finiteOrNull(row.evalLoss) } : {}),
    ...(row.trainSetLoss !== undefined ? { trainSetLoss: finiteOrNull(row.trainSetLoss) } : {}),
    wallMs: round(row.wallMs, 3),
  };
}

export interface RunOptions {
  backend: CliBackend;
  /** Steps per Trainer.advance call; losses are read back once per call. */
  chunkSteps?: number;
  /** Data files the task needs (data/assets.ts); shipped ones are read from public/data when absent. */
  assets?: Assets;
  /** Called after every chunk with the runs' progress and the time since training started. */
  onProgress?: (progress: RunProgress[], elapsedMs: number) => void;
}

const PUBLIC_DATA = fileURLToPath(new URL('../../public/data/', import.meta.url));

/** `assets` plus every shipped data file the task needs, read from public/data or `dataDir` (uploads must be given). */
export function loadShippedAssets(spec: ExperimentSpec, assets: Assets, dataDir = PUBLIC_DATA): Assets {
  for (const name of assetsFor(spec.task)) {
    if (assets.has(name)) continue;
    if (isUpload(name)) throw new MissingAssetError(name);
    const bytes = readFileSync(`${dataDir}/${name}`);
    // A shipped file named *.gz is gzipped as a whole.
    assets.set(name, new Uint8Array(name.endsWith('.gz') ? gunzipSync(bytes) : bytes));
  }
  return assets;
}

/**
 * Trains the runs `runIds` of `spec` (a fork's whole family among them: partition.ts) to the end of the
 * budget, or until they diverge, on the current backend. The other runs are left out of the trainer but
 * the comparisons stay in: their levels are part of every run's ladder.
 */
export async function trainRuns(spec: ExperimentSpec, runIds: readonly string[], options: RunOptions): Promise<TrainedShare> {
  const chunk = options.chunkSteps ?? 50;
  const ids = new Set(runIds);
  const share: ExperimentSpec = { ...spec, runs: spec.runs.filter((r) => ids.has(r.id)) };
  // Grouping runs along the run axis pays on a GPU, and costs on wasm and cpu (PLATFORM.md, bench/peer.ts).
  const trainer = new Trainer(share, { groupRuns: options.backend === 'webgpu', assets: loadShippedAssets(spec, options.assets ?? new Map()) });
  const metrics = new Map<string, MetricOut[]>(share.runs.map((r) => [r.id, []]));
  const t0 = performance.now();
  try {
    while (trainer.active) {
      const rows = await trainer.advance(chunk);
      for (const [id, runRows] of rows) metrics.get(id)!.push(...runRows.map(metricOut));
      options.onProgress?.(trainer.progress(), performance.now() - t0);
    }
    const progress = new Map(trainer.progress().map((p) => [p.id, p]));
    const probe = trainer.probeInfo();
    return {
      backend: options.backend,
      lossFloor: trainer.lossFloor === null ? null : finiteOrNull(trainer.lossFloor),
      ladderLevels: probe.levels,
      probe: { shape: probe.shape, targetRms: probe.targetRms },
      runs: share.runs.map((run) => {
        const p = progress.get(run.id)!;
        return {
          id: run.id,
          batchSize: run.batchSize,
          learningRate: run.learningRate,
          seed: run.seed,
          status: p.status,
          ...(p.reason ? { reason: p.reason } : {}),
          regime: spec.regime.kind,
          ...(run.fork ? { parent: run.fork.parent, forkStep: run.fork.atStep } : {}),
          ...(run.change ? { change: run.change } : {}),
          steps: p.step,
          samples: p.samples,
          wallMs: round(p.wallMs, 3),
          samplesPerSecond: p.wallMs > 0 ? round((p.samples * 1000) / p.wallMs, 1) : null,
          // Comparisons need the outputs; the decision-map grid is for the page's pictures only.
          ladder: trainer.ladder(run.id).map(({ level, step, samples, evalLoss, outputs }) => ({ level, step, samples, evalLoss, outputs })),
          metrics: metrics.get(run.id)!,
        };
      }),
    };
  } finally {
    trainer.dispose();
  }
}

/** Trains every run of `spec` in this thread and computes its comparisons. */
export async function runExperiment(spec: ExperimentSpec, options: RunOptions): Promise<ExperimentResult> {
  return assembleResult(spec, [await trainRuns(spec, spec.runs.map((r) => r.id), options)]);
}
