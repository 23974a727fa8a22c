/**
 * Steps versus samples to a target loss, and the critical batch size fitted from a batch sweep
 * (McCandlish et al. 2018, *An Empirical Model of Large-Batch Training*): the steps S and samples E = S·B
 * a run needs to reach a loss trade off as
 *
 *     S = S_min (1 + B_noise / B),   E = E_min (1 + B / B_noise),   E_min = S_min · B_noise,
 *
 * so a least-squares line of S against 1/B has intercept S_min and slope S_min · B_noise, and the critical
 * batch size B_crit = E_min / S_min equals B_noise. The paper predicts B_crit ≈ B_simple, the gradient
 * noise scale measured along the way. Pure functions: no React, unit-tested.
 */
import type { MetricRow } from '../../engine/trainer';

/** Where a run first reached the target: its step, samples, and B_simple there (null before it is defined). */
export interface TargetHit {
  step: number;
  samples: number;
  noiseScale: number | null;
}

/** The first evaluation whose held-out loss is at or below `target`, or null if there is none yet. */
export function stepsToTarget(rows: MetricRow[], target: number): TargetHit | null {
  for (const row of rows) {
    if (row.evalLoss !== undefined && row.evalLoss <= target) {
      return { step: row.step, samples: row.samples, noiseScale: row.noiseScale !== undefined && Number.isFinite(row.noiseScale) ? row.noiseScale : null };
    }
  }
  return null;
}

/** One batch size's steps to the target. */
export interface SweepPoint {
  batchSize: number;
  steps: number;
}

export type NoiseFit =
  | {
      ok: true;
      /** Steps to the target with an infinite batch. */
      sMin: number;
      /** Samples to the target with an infinitesimal batch: S_min · B_noise. */
      eMin: number;
      bNoise: number;
      /** E_min / S_min, the batch size where S = 2 S_min and E = 2 E_min. */
      bCrit: number;
    }
  | { ok: false; reason: string };

const fmt = (v: number) => Number(v.toPrecision(3)).toString();

/**
 * Least squares of S against 1/B over the points (each point weighs the same; average repeated batch
 * sizes first for one point per B). Refuses, with a reason a person can act on, when fewer than 2 distinct
 * batch sizes are given or when S_min or B_noise comes out non-positive (the model cannot describe the
 * sweep).
 */
export function fitNoiseScale(points: SweepPoint[]): NoiseFit {
  const bad = points.find((p) => !(p.batchSize > 0) || !(p.steps > 0) || !Number.isFinite(p.batchSize) || !Number.isFinite(p.steps));
  if (bad) return { ok: false, reason: `Every point needs a positive batch size and step count (got B = ${bad.batchSize}, S = ${bad.steps}).` };
  const distinct = new Set(points.map((p) => p.batchSize)).size;
  if (distinct < 2) {
    return {
      ok: false,
      reason: `A fit needs at least 2 distinct batch sizes that reached the target; ${distinct === 0 ? 'none has' : 'only 1 has'}.`,
    };
  }
  const xs = points.map((p) => 1 / p.batchSize);
  const ys = points.map((p) => p.steps);
  const mx = mean(xs);
  const my = mean(ys);
  let sxx = 0;
  let sxy = 0;
  xs.forEach((x, i) => {
    sxx += (x - mx) ** 2;
    sxy += (x - mx) * (ys[i] - my);
  });
  const slope = sxy / sxx;
  const sMin = my - slope * mx;
  if (!(sMin > 0)) {
    return {
      ok: false,
      reason: `The fit gives S_min = ${fmt(sMin)}, not positive: steps to the target still fall like 1/B at the largest batch sizes, so the sweep never reaches the batch size beyond which more samples per step stop helping. Add larger batch sizes, or pick a lower target.`,
    };
  }
  const bNoise = slope / sMin;
  if (!(bNoise > 0)) {
    return {
      ok: false,
      reason: `The fit gives B_noise = ${fmt(bNoise)}, not positive: steps to the target do not fall as the batch grows, so every batch size here is already beyond the noise scale. Add smaller batch sizes, or pick a lower target.`,
    };
  }
  return { ok: true, sMin, eMin: sMin * bNoise, bNoise, bCrit: bNoise };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** S_min (1 + B_noise / B). */
export const fittedSteps = (fit: { sMin: number; bNoise: number }, batchSize: number) => fit.sMin * (1 + fit.bNoise / batchSize);
/** E_min (1 + B / B_noise) = S · B. */
export const fittedSamples = (fit: { sMin: number; bNoise: number }, batchSize: number) => fittedSteps(fit, batchSize) * batchSize;

/** What the sweep needs of a run: a run with a fork or a scheduled change does not have one batch size. */
export interface SweepRun {
  id: string;
  batchSize: number;
  learningRate: number;
  fork?: unknown;
  change?: unknown;
}

/** One batch size's result: runs sharing it are averaged. */
export interface BatchResult {
  batchSize: number;
  runs: string[];
  /** Mean steps to the target over the runs. */
  steps: number;
  /** steps × batch size. */
  samples: number;
  /** Mean B_simple where the runs reached the target, over those that had one; null if none. */
  noiseScale: number | null;
}

export interface SweepSummary {
  target: number;
  /** One per batch size that reached the target, by batch size. */
  batches: BatchResult[];
  /** Runs that did not reach it (yet): their lowest held-out loss so far, null before any evaluation. */
  unreached: Array<{ id: string; batchSize: number; best: number | null }>;
  /** Forks and runs with a scheduled change: left out. */
  excluded: string[];
  /** Whether the runs in the sweep differ in learning rate too (then S(B) mixes learning rates). */
  mixedLearningRates: boolean;
  /** Mean over the runs that reached the target of B_simple there; null if none had one. */
  bSimple: number | null;
  fit: NoiseFit;
}

const eligible = (run: SweepRun) => run.fork === undefined && run.change === undefined;

/** A run's lowest held-out loss so far, or null before its first evaluation. */
function bestEvalLoss(rows: MetricRow[]): number | null {
  let best: number | null = null;
  for (const row of rows) if (row.evalLoss !== undefined && Number.isFinite(row.evalLoss) && (best === null || row.evalLoss < best)) best = row.evalLoss;
  return best;
}

/** Steps and samples to `target` per batch size, the runs that did not get there, and the fit. */
export function sweepSummary(runs: SweepRun[], metrics: Record<string, MetricRow[] | undefined>, target: number): SweepSummary {
  const inSweep = runs.filter(eligible);
  const groups = new Map<number, Array<{ id: string; hit: TargetHit }>>();
  const unreached: SweepSummary['unreached'] = [];
  for (const run of inSweep) {
    const rows = metrics[run.id] ?? [];
    const hit = stepsToTarget(rows, target);
    if (hit) groups.set(run.batchSize, [...(groups.get(run.batchSize) ?? []), { id: run.id, hit }]);
    else unreached.push({ id: run.id, batchSize: run.batchSize, best: bestEvalLoss(rows) });
  }
  const batches = [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([batchSize, hits]): BatchResult => {
      const steps = mean(hits.map((h) => h.hit.step));
      const scales = hits.map((h) => h.hit.noiseScale).filter((v): v is number => v !== null);
      return { batchSize, runs: hits.map((h) => h.id), steps, samples: steps * batchSize, noiseScale: scales.length ? mean(scales) : null };
    });
  const scales = [...groups.values()].flat().map((h) => h.hit.noiseScale).filter((v): v is number => v !== null);
  return {
    target,
    batches,
    unreached,
    excluded: runs.filter((r) => !eligible(r)).map((r) => r.id),
    mixedLearningRates: new Set(inSweep.map((r) => r.learningRate)).size > 1,
    bSimple: scales.length ? mean(scales) : null,
    fit: fitNoiseScale(batches.map((b) => ({ batchSize: b.batchSize, steps: b.steps }))),
  };
}

/**
 * A target every run in the sweep has reached: the highest of their lowest held-out losses, rounded up to
 * 2 significant digits. Runs not evaluated yet are skipped; null when none has been.
 */
export function defaultTarget(runs: SweepRun[], metrics: Record<string, MetricRow[] | undefined>): number | null {
  let worst: number | null = null;
  for (const run of runs.filter(eligible)) {
    const best = bestEvalLoss(metrics[run.id] ?? []);
    if (best !== null && (worst === null || best > worst)) worst = best;
  }
  return worst === null ? null : roundUp(worst, 2);
}

/** The smallest number with `digits` significant digits that is ≥ v (v > 0). */
export function roundUp(v: number, digits: number): number {
  if (!(v > 0) || !Number.isFinite(v)) return v;
  const unit = 10 ** (Math.floor(Math.log10(v)) - digits + 1);
  let out = Number((Math.ceil(v / unit - 1e-9) * unit).toPrecision(digits + 1));
  if (out < v) out = Number(((Math.round(out / unit) + 1) * unit).toPrecision(digits + 1));
  return out;
}

/** A target typed by a person: a positive, finite number, or a message saying what is wrong. */
export function parseTarget(text: string): { ok: true; value: number } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'Enter a target loss, e.g. 0.7' };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, message: `"${trimmed}" is not a number` };
  if (value <= 0) return { ok: false, message: 'The target loss must be greater than 0' };
  return { ok: true, value };
}
