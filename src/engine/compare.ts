/**
 * Equal-loss comparisons between runs, from their ladders (ladder.ts): which level, which points, how far
 * apart, and the seed baseline — the distance between two runs that differ only in seed, at the same level,
 * which says how large a distance is. Pure: the UI and the headless runner use it alike.
 */
import type { ComparisonSpec, ExperimentSpec, RunSpec } from '../spec/schema';
import { bootstrapDistances, functionDistance, headline, type FunctionDistance, type OutputShape } from './distance';
import type { LadderPoint } from './ladder';
import type { ComparisonFacts } from './verdicts';

export interface Comparison {
  level: number;
  a: LadderPoint;
  b: LadderPoint;
  distance: FunctionDistance;
  /** The seed twin's distance from a run of the pair at the same level, where a twin exists and got there. */
  baseline: { of: string; twin: string; distance: FunctionDistance } | null;
  /** Why there is no baseline (no twin yet, or the twin has not reached the level). */
  baselineNote: string | null;
  /**
   * 95 % bootstrap intervals over probe examples of the headline distance, the baseline's, and the pair's
   * distance over the baseline's (distance.ts: bootstrapDistances).
   */
  intervals: { distance: [number, number]; baseline: [number, number] | null; ratio: [number, number] | null };
}

export type ComparisonResult = { ok: true; comparison: Comparison } | { ok: false; error: string };

/** Everything a comparison needs: the experiment, each run's recorded ladder, and how to read outputs. */
export interface CompareInputs {
  spec: ExperimentSpec;
  ladders: ReadonlyMap<string, readonly LadderPoint[]>;
  shape: OutputShape;
  /** RMS of the regression targets on the recorded probe examples (regression only). */
  targetRms?: number;
}

const pointAt = (points: readonly LadderPoint[] | undefined, level: number) => points?.find((p) => p.level === level);

/** The level a comparison stands at: its own, or the lowest both runs have reached. Null: none yet. */
export function comparisonLevel(c: ComparisonSpec, ladders: CompareInputs['ladders']): number | null {
  if (c.level !== 'lowest') return c.level;
  const reachedByB = new Set((ladders.get(c.b) ?? []).map((p) => p.level));
  const shared = (ladders.get(c.a) ?? []).map((p) => p.level).filter((l) => reachedByB.has(l));
  return shared.length ? Math.min(...shared) : null;
}

function sameSettings(x: RunSpec, y: RunSpec): boolean {
  return x.batchSize === y.batchSize && x.learningRate === y.learningRate && JSON.stringify(x.change) === JSON.stringify(y.change);
}

/** A run of `run`'s configuration with another seed, if the experiment has one (forks have none: see README). */
export function findTwin(spec: ExperimentSpec, runId: string): RunSpec | undefined {
  const run = spec.runs.find((r) => r.id === runId);
  if (!run || run.fork) return undefined;
  return spec.runs.find((r) => r.id !== run.id && !r.fork && r.seed !== run.seed && sameSettings(r, run));
}

/** A new run that differs from `runId` only in seed (the next unused seed), with a fresh id. */
export function twinRun(spec: ExperimentSpec, runId: string): RunSpec {
  const run = spec.runs.find((r) => r.id === runId);
  if (!run) throw new Error(`There is no run "${runId}".`);
  if (run.fork) throw new Error(`"${runId}" is a fork: a seed twin would need a twin of its parent, which the lab does not add yet.`);
  const seeds = new Set(spec.runs.map((r) => r.seed));
  let seed = run.seed + 1;
  while (seeds.has(seed)) seed++;
  const ids = new Set(spec.runs.map((r) => r.id));
  const stem = run.id.slice(0, 18);
  let id = `${stem}-s${seed}`;
  for (let n = 2; ids.has(id); n++) id = `${stem}-s${seed}-${n}`;
  return { id, batchSize: run.batchSize, learningRate: run.learningRate, seed, ...(run.change ? { change: run.change } : {}) };
}

/** Compares the pair at the comparison's level, with its seed baseline; or says clearly why it cannot. */
export function compare(c: ComparisonSpec, inputs: CompareInputs): ComparisonResult {
  const { spec, ladders, shape, targetRms } = inputs;
  if (c.a === c.b) return { ok: false, error: `A run cannot be compared with itself ("${c.a}"): choose two different runs.` };
  for (const id of [c.a, c.b]) if (!spec.runs.some((r) => r.id === id)) return { ok: false, error: `There is no run "${id}" in this experiment.` };
  const level = comparisonLevel(c, ladders);
  if (level === null) return { ok: false, error: `${c.a} and ${c.b} have not both reached any level of the loss ladder yet.` };
  const a = pointAt(ladders.get(c.a), level);
  const b = pointAt(ladders.get(c.b), level);
  const missing = [!a && c.a, !b && c.b].filter(Boolean);
  if (!a || !b) return { ok: false, error: `${missing.join(' and ')} ${missing.length > 1 ? 'have' : 'has'} not reached the held-out loss ${level.toPrecision(3)} (yet).` };
  let distance: FunctionDistance;
  try {
    distance = functionDistance(a.outputs, b.outputs, shape, targetRms);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  let baseline: Comparison['baseline'] = null;
  let baselineNote: string | null = null;
  const twinOf = [c.a, c.b].map((id) => ({ id, twin: findTwin(spec, id) })).find((t) => t.twin);
  if (!twinOf) {
    baselineNote = `No run differs from ${c.a} or ${c.b} only in seed.`;
  } else {
    const twinPoint = pointAt(ladders.get(twinOf.twin!.id), level);
    const own = twinOf.id === c.a ? a : b;
    if (twinPoint) baseline = { of: twinOf.id, twin: twinOf.twin!.id, distance: functionDistance(own.outputs, twinPoint.outputs, shape, targetRms) };
    else baselineNote = `The seed twin ${twinOf.twin!.id} has not reached this level yet.`;
  }
  const boot = bootstrapDistances(baseline ? [distance, baseline.distance] : [distance], targetRms);
  const intervals = { distance: boot.distances[0], baseline: boot.distances[1] ?? null, ratio: boot.ratio };
  return { ok: true, comparison: { level, a, b, distance, baseline, baselineNote, intervals } };
}

export interface LevelDistance {
  level: number;
  distance: number;
  baseline: number | null;
  /** Bootstrap intervals (Comparison.intervals). */
  distanceLow: number;
  distanceHigh: number;
  baselineLow: number | null;
  baselineHigh: number | null;
}

/** The pair's distance (and its baseline's), with intervals, at every level both have reached, highest level first. */
export function distanceByLevel(c: ComparisonSpec, inputs: CompareInputs): LevelDistance[] {
  const levels = (inputs.ladders.get(c.a) ?? []).map((p) => p.level).filter((l) => pointAt(inputs.ladders.get(c.b), l));
  return levels
    .sort((x, y) => y - x)
    .flatMap((level) => {
      const result = compare({ ...c, level }, inputs);
      if (!result.ok) return [];
      const { distance, baseline, intervals } = result.comparison;
      return [
        {
          level,
          distance: headline(distance),
          baseline: baseline ? headline(baseline.distance) : null,
          distanceLow: intervals.distance[0],
          distanceHigh: intervals.distance[1],
          baselineLow: intervals.baseline?.[0] ?? null,
          baselineHigh: intervals.baseline?.[1] ?? null,
        },
      ];
    });
}

/** A comparison's numbers as the verdicts read them (verdicts.ts). */
export function comparisonFacts(c: ComparisonSpec, comparison: Comparison): ComparisonFacts {
  const { level, distance, baseline, intervals } = comparison;
  return {
    a: c.a,
    b: c.b,
    level,
    distance: headline(distance),
    interval: intervals.distance,
    baseline: baseline ? headline(baseline.distance) : null,
    baselineInterval: intervals.baseline,
    ratioInterval: intervals.ratio,
  };
}
