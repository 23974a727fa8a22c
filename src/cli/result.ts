/**
 * The runner's results file: its shape, how trained runs become one (comparisons computed from the runs'
 * ladders), and how it is written. No tfjs here, so `npm run merge` assembles shards without loading it.
 */
import { compare, type CompareInputs } from '../engine/compare';
import { headline, type OutputShape } from '../engine/distance';
import type { LadderPoint } from '../engine/ladder';
import type { RunStatus } from '../engine/trainer';
import type { ComparisonSpec, ExperimentSpec } from '../spec/schema';
import type { Verdict } from '../engine/verdicts';
import { claimsOut, type GroupOut } from './claims';
import type { CliBackend, ComparisonOut, MetricOut } from './types';

/** Where a run first reached a loss-ladder level. */
export interface LadderOut {
  level: number;
  step: number;
  samples: number;
}

export interface RunResult<Ladder = LadderOut> {
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
  ladder: Ladder[];
  metrics: MetricOut[];
}

export interface ExperimentResult {
  spec: ExperimentSpec;
  backend: CliBackend;
  lossFloor: number | null;
  /** The loss ladder's levels, highest first. */
  ladderLevels: number[];
  runs: RunResult[];
  comparisons: ComparisonOut[];
  /** Seed groups with their held-out loss across seeds, and a verdict per claim (claims.ts). */
  groups: GroupOut[];
  verdicts: Verdict[];
}

/** How ladder outputs are read (Trainer.probeInfo), which comparisons need. */
export interface ProbeShape {
  shape: OutputShape;
  targetRms: number | null;
}

/**
 * Some runs of an experiment as trained by one process or thread: every run's result with ladder points
 * that still hold the outputs on the probe examples, from which the comparisons are computed once all runs
 * are in. What depends only on the experiment (loss floor, levels, probe) is the same in every share.
 */
export interface TrainedShare {
  backend: CliBackend;
  lossFloor: number | null;
  ladderLevels: number[];
  probe: ProbeShape;
  runs: RunResult<LadderPoint>[];
}

function comparisonOut(c: ComparisonSpec, inputs: CompareInputs): ComparisonOut {
  const result = compare(c, inputs);
  const empty = { a: c.a, b: c.b, level: null, tv: null, disagreement: null, kl: null, baselineTv: null };
  if (!result.ok) return { ...empty, note: result.error };
  const { level, distance, baseline, baselineNote, intervals } = result.comparison;
  const note = baselineNote ? { note: baselineNote } : {};
  const ratio = baseline && intervals.ratio ? { ratio: headline(distance) / headline(baseline.distance), ratioLow: intervals.ratio[0], ratioHigh: intervals.ratio[1] } : {};
  const [lo, hi] = intervals.distance;
  if (distance.kind === 'regression') {
    const base = baseline?.distance.kind === 'regression' ? baseline.distance.relRms : null;
    const baseInterval = intervals.baseline ? { baselineRelRmsLow: intervals.baseline[0], baselineRelRmsHigh: intervals.baseline[1] } : {};
    return { ...empty, level, relRms: distance.relRms, relRmsLow: lo, relRmsHigh: hi, baselineRelRms: base, ...baseInterval, ...ratio, ...note };
  }
  const baselineTv = baseline?.distance.kind === 'classification' ? baseline.distance.tv : null;
  const baseInterval = intervals.baseline ? { baselineTvLow: intervals.baseline[0], baselineTvHigh: intervals.baseline[1] } : {};
  return { a: c.a, b: c.b, level, tv: distance.tv, tvLow: lo, tvHigh: hi, disagreement: distance.disagreement, kl: distance.kl, baselineTv, ...baseInterval, ...ratio, ...note };
}

/**
 * Shares trained apart as one: their runs in the spec's order. Every share computed the same loss floor,
 * levels and probe from the same experiment, but only shares from one backend have comparable numbers.
 */
export function combineShares(spec: ExperimentSpec, shares: readonly TrainedShare[]): TrainedShare {
  if (!shares.length) throw new Error('combineShares needs at least one share');
  const backends = new Set(shares.map((s) => s.backend));
  if (backends.size > 1) throw new Error(`the runs trained on different backends (${[...backends].join(', ')}), so their numbers cannot be combined`);
  const byId = new Map(shares.flatMap((s) => s.runs.map((r) => [r.id, r] as const)));
  return { ...shares[0], runs: spec.runs.flatMap((r) => byId.get(r.id) ?? []) };
}

/**
 * The results file of the whole experiment from shares that together hold each of its runs once, with the
 * spec's comparisons computed from their ladders: the same file as if one thread had trained everything
 * (a run's numbers depend only on the experiment and its own spec).
 */
export function assembleResult(spec: ExperimentSpec, shares: readonly TrainedShare[]): ExperimentResult {
  const { backend, lossFloor, ladderLevels, probe, runs } = combineShares(spec, shares);
  const missing = spec.runs.filter((r) => !runs.some((run) => run.id === r.id));
  if (missing.length) throw new Error(`no share holds run(s) ${missing.map((r) => r.id).join(', ')}`);
  const ladders = new Map(runs.map((r) => [r.id, r.ladder]));
  const inputs: CompareInputs = { spec, ladders, shape: probe.shape, targetRms: probe.targetRms ?? undefined };
  const comparisons = spec.comparisons.map((c) => comparisonOut(c, inputs));
  return {
    spec,
    backend,
    lossFloor,
    ladderLevels,
    runs: runs.map((run) => ({ ...run, ladder: run.ladder.map(({ level, step, samples }) => ({ level, step, samples })) })),
    comparisons,
    ...claimsOut(spec, new Map(runs.map((r) => [r.id, r.metrics])), comparisons),
  };
}

/**
 * A results file (or a shard's) as JSON: indented, except that each metric row and each array of numbers
 * (ladder levels, a shard's ladder outputs) is one line — a default run has 12,000 rows. Parses back to
 * exactly `result` (non-finite numbers were already written as null; typed arrays must be plain arrays).
 */
export function formatResult(result: object): string {
  const lines: string[] = [];
  const keep = (value: unknown) => {
    lines.push(JSON.stringify(value));
    return `\u0000${lines.length - 1}\u0000`;
  };
  const numbers = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || x === null);
  const text = JSON.stringify(
    result,
    (key, value: unknown) => (key === 'metrics' && Array.isArray(value) ? value.map(keep) : numbers(value) ? keep(value) : value),
    2,
  );
  return `${text.replace(/"\\u0000(\d+)\\u0000"/g, (_, i: string) => lines[Number(i)])}\n`;
}
