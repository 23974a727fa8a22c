/**
 * Seed groups: runs that differ only in seed, and the statistics of a group — its mean with a band, either
 * ± one standard deviation across seeds (how far a single run strays) or the 95 % interval of the mean
 * (Student t with n − 1 degrees of freedom: how well the seeds pin the mean down). Pure: the charts, the
 * run table, the verdicts and the headless runner share it.
 */
import type { RunSpec } from '../spec/schema';

export type BandMode = 'std' | 'ci';

export interface SeedGroup {
  /** The settings the runs share (everything but id and seed), as a stable key. */
  key: string;
  /** Member run ids, in experiment order. */
  runs: string[];
}

/** What runs of one group share: every setting but the id and the seed (a fork's parent counts too). */
export function groupKey(run: RunSpec): string {
  const { id: _id, seed: _seed, ...settings } = run;
  // Nested objects (change, fork) come from the schema, so their own keys are in a fixed order.
  return JSON.stringify(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The experiment's runs in seed groups (a run alone is a group of one), in order of each group's first run. */
export function seedGroups(runs: readonly RunSpec[]): SeedGroup[] {
  const groups = new Map<string, SeedGroup>();
  for (const run of runs) {
    const key = groupKey(run);
    const group = groups.get(key);
    if (group) group.runs.push(run.id);
    else groups.set(key, { key, runs: [run.id] });
  }
  return [...groups.values()];
}

/** Two-sided 97.5 % quantiles of Student's t for 1–30 degrees of freedom; 1.96 beyond. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return df >= 1 && df <= T975.length ? T975[Math.round(df) - 1] : 1.96;
}

export interface MeanBand {
  mean: number;
  /** Sample standard deviation across the values (n − 1); null for one value. */
  std: number | null;
  n: number;
  /** The band: mean ± std, or the 95 % interval of the mean; [mean, mean] for one value. */
  low: number;
  high: number;
}

/** Mean and band of `values` (finite ones only); null when there are none. */
export function meanBand(values: readonly number[], mode: BandMode): MeanBand | null {
  let n = 0;
  let sum = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
  }
  if (n === 0) return null;
  const mean = sum / n;
  if (n === 1) return { mean, std: null, n, low: mean, high: mean };
  let sq = 0;
  for (const v of values) if (Number.isFinite(v)) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / (n - 1));
  const half = mode === 'std' ? std : (tQuantile975(n - 1) * std) / Math.sqrt(n);
  return { mean, std, n, low: mean - half, high: mean + half };
}

export interface GroupEvalRow {
  step: number;
  evalLossMean: number;
  evalLossStd: number | null;
  n: number;
}

/**
 * A group's held-out loss across seeds at every step where a member was evaluated (members of a group share
 * their evaluation steps; n says how many had a finite loss there).
 */
export function groupEvalLoss(members: ReadonlyArray<ReadonlyArray<{ step: number; evalLoss?: number | null }>>): GroupEvalRow[] {
  const byStep = new Map<number, number[]>();
  for (const rows of members) {
    for (const row of rows) {
      if (row.evalLoss === undefined || row.evalLoss === null) continue;
      const list = byStep.get(row.step);
      if (list) list.push(row.evalLoss);
      else byStep.set(row.step, [row.evalLoss]);
    }
  }
  return [...byStep.entries()]
    .sort((a, b) => a[0] - b[0])
    .flatMap(([step, values]) => {
      const band = meanBand(values, 'std');
      return band ? [{ step, evalLossMean: band.mean, evalLossStd: band.std, n: band.n }] : [];
    });
}
