/**
 * Runs an experiment to completion in Node on tfjs's wasm, cpu or webgpu backend and shapes the result as JSON.
 * This module loads tfjs; the engine itself stays free of anything Node-specific.
 */
import * as tf from '../engine/tf';
// Registers the 'wasm' backend. In Node its .wasm binaries load from node_modules (no setWasmPaths needed).
import '@tensorflow/tfjs-backend-wasm';
import { Trainer, type MetricRow, type RunProgress, type RunStatus } from '../engine/trainer';
import type { ComparisonSpec, ExperimentSpec } from '../spec/schema';
import { compare, type CompareInputs } from '../engine/compare';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { MissingAssetError, isUpload, type Assets } from '../engine/data/assets';
import { assetsFor } from '../engine/tasks';
import type { CliBackend } from './args';

/** A metric row as written to JSON: a loss that was not finite (a diverged run's last row) becomes null. */
export type MetricOut = Omit<MetricRow, 'trainLoss' | 'evalLoss' | 'trainSetLoss'> & {
  trainLoss: number | null;
  evalLoss?: number | null;
  trainSetLoss?: number | null;
};

export interface RunResult {
  id: string;
  batchSize: number;
  learningRate: number;
  seed: number;
  status: RunStatus;
  reason?: string;
  /** The experiment's regime: 'online' or 'offline'. */
  regime: 'online' | 'offline';
  /** For a branch: the run it was forked from and the parent's step at the fork. */
  parent?: string;
  forkStep?: number;
  /** A scheduled change of noise: from step atStep on, B × batchFactor and η ÷ lrDivisor. */
  change?: { atStep: number; batchFactor: number; lrDivisor: number };
  steps: number;
  samples: number;
  wallMs: number;
  samplesPerSecond: number | null;
  /** Where the run first reached each loss-ladder level (held-out loss at or below it). */
  ladder: { level: number; step: number; samples: number }[];
  metrics: MetricOut[];
}

/**
 * A comparison the spec names, at its level: TV, disagreement and symmetric KL for classifiers (relRms for
 * regression), and the seed baseline's TV (relRms) where a twin reached the level. Null where not computable,
 * with the reason in `note`.
 */
export interface ComparisonOut {
  a: string;
  b: string;
  level: number | null;
  tv: number | null;
  disagreement: number | null;
  kl: number | null;
  relRms?: number | null;
  baselineTv: number | null;
  baselineRelRms?: number | null;
  note?: string;
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  backend: CliBackend;
  lossFloor: number | null;
  /** The loss ladder's levels, highest first. */
  ladderLevels: number[];
  runs: RunResult[];
  comparisons: ComparisonOut[];
}

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

/** Trains every run of `spec` to the end of its budget (or until it diverges) on the current backend. */
export async function runExperiment(spec: ExperimentSpec, options: RunOptions): Promise<ExperimentResult> {
  const chunk = options.chunkSteps ?? 50;
  // Grouping runs along the run axis pays on a GPU (PLATFORM.md).
  const trainer = new Trainer(spec, { groupRuns: options.backend === 'webgpu', assets: loadShippedAssets(spec, options.assets ?? new Map()) });
  const metrics = new Map<string, MetricOut[]>(spec.runs.map((r) => [r.id, []]));
  const t0 = performance.now();
  try {
    while (trainer.active) {
      const rows = await trainer.advance(chunk);
      for (const [id, runRows] of rows) metrics.get(id)!.push(...runRows.map(metricOut));
      options.onProgress?.(trainer.progress(), performance.now() - t0);
    }
    const progress = new Map(trainer.progress().map((p) => [p.id, p]));
    const probe = trainer.probeInfo();
    const ladders = new Map(spec.runs.map((r) => [r.id, trainer.ladder(r.id)]));
    return {
      spec,
      backend: options.backend,
      lossFloor: trainer.lossFloor === null ? null : finiteOrNull(trainer.lossFloor),
      ladderLevels: probe.levels,
      runs: spec.runs.map((run) => {
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
          ladder: ladders.get(run.id)!.map(({ level, step, samples }) => ({ level, step, samples })),
          metrics: metrics.get(run.id)!,
        };
      }),
      comparisons: spec.comparisons.map((c) => comparisonOut(c, { spec, ladders, shape: probe.shape, targetRms: probe.targetRms ?? undefined })),
    };
  } finally {
    trainer.dispose();
  }
}

function comparisonOut(c: ComparisonSpec, inputs: CompareInputs): ComparisonOut {
  const result = compare(c, inputs);
  const empty = { a: c.a, b: c.b, level: null, tv: null, disagreement: null, kl: null, baselineTv: null };
  if (!result.ok) return { ...empty, note: result.error };
  const { level, distance, baseline, baselineNote } = result.comparison;
  const note = baselineNote ? { note: baselineNote } : {};
  if (distance.kind === 'regression') {
    const base = baseline?.distance.kind === 'regression' ? baseline.distance.relRms : null;
    return { ...empty, level, relRms: distance.relRms, baselineRelRms: base, ...note };
  }
  const baselineTv = baseline?.distance.kind === 'classification' ? baseline.distance.tv : null;
  return { a: c.a, b: c.b, level, tv: distance.tv, disagreement: distance.disagreement, kl: distance.kl, baselineTv, ...note };
}

/**
 * The result as JSON: indented, except that each metric row is one line (a default run has 12,000 rows).
 * Parses back to exactly `result` (non-finite numbers were already written as null).
 */
export function formatResult(result: ExperimentResult): string {
  const marker = (i: number) => `\u0000metrics-${i}\u0000`;
  const skeleton = { ...result, runs: result.runs.map((run, i) => ({ ...run, metrics: marker(i) })) };
  let text = JSON.stringify(skeleton, null, 2);
  result.runs.forEach((run, i) => {
    const rows = run.metrics.map((row) => JSON.stringify(row));
    const body = rows.length ? `[\n        ${rows.join(',\n        ')}\n      ]` : '[]';
    text = text.replace(JSON.stringify(marker(i)), () => body);
  });
  return `${text}\n`;
}
