/**
 * What the runner's results add for checking a claim from a script: seed groups with their held-out loss
 * across seeds, and a verdict per claim (engine/verdicts.ts), the same the lab's live panel shows.
 */
import { groupEvalLoss, seedGroups, type GroupEvalRow } from '../engine/groups';
import { verdicts, type ComparisonFacts, type Verdict } from '../engine/verdicts';
import type { ExperimentSpec } from '../spec/schema';
import type { ComparisonOut, MetricOut } from './types';

export interface GroupOut {
  runs: string[];
  metrics: GroupEvalRow[];
}

/** A comparison's numbers as the verdicts read them (TV for classifiers, relative RMS for regression). */
function facts(c: ComparisonOut): ComparisonFacts | null {
  const distance = c.tv ?? c.relRms ?? null;
  const low = c.tvLow ?? c.relRmsLow;
  const high = c.tvHigh ?? c.relRmsHigh;
  if (c.level === null || distance === null || low === undefined || high === undefined) return null;
  const baseline = c.baselineTv ?? c.baselineRelRms ?? null;
  const bLow = c.baselineTvLow ?? c.baselineRelRmsLow;
  const bHigh = c.baselineTvHigh ?? c.baselineRelRmsHigh;
  return {
    a: c.a,
    b: c.b,
    level: c.level,
    distance,
    interval: [low, high],
    baseline,
    baselineInterval: bLow !== undefined && bHigh !== undefined ? [bLow, bHigh] : null,
    ratioInterval: c.ratioLow !== undefined && c.ratioHigh !== undefined ? [c.ratioLow, c.ratioHigh] : null,
  };
}

export function claimsOut(spec: ExperimentSpec, metrics: ReadonlyMap<string, MetricOut[]>, comparisons: ComparisonOut[]): { groups: GroupOut[]; verdicts: Verdict[] } {
  return {
    groups: seedGroups(spec.runs).map((g) => ({ runs: g.runs, metrics: groupEvalLoss(g.runs.map((id) => metrics.get(id) ?? [])) })),
    verdicts: verdicts(
      spec,
      metrics,
      comparisons.flatMap((c) => facts(c) ?? []),
    ),
  };
}
