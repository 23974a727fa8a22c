/**
 * Splits an experiment's runs into n shares, for the page's pool of training workers, the runner's worker
 * threads and a cluster's shards alike. A fork starts from its parent's exact state, so a run travels with
 * its whole family (every run descending from one root run). Families go, heaviest first, to the share
 * with the least work so far; the split depends only on the spec and n, never on timing, so every process
 * that splits the same spec the same way agrees on who trains what.
 */
import type { ExperimentSpec, RunSpec } from '../spec/schema';

/**
 * A step's fixed cost in samples' worth of work: small batches are bound by per-op overhead, not by
 * arithmetic (PLATFORM.md: on wasm B = 8 trains at ~1/4 the samples/s of B = 64), so a step of B samples
 * costs about B + STEP_OVERHEAD.
 */
const STEP_OVERHEAD = 32;

/** Each run's root: the run itself, or the root of its fork parent. */
export function familyRoots(runs: readonly RunSpec[]): Map<string, string> {
  const roots = new Map<string, string>();
  for (const run of runs) roots.set(run.id, run.fork ? (roots.get(run.fork.parent) ?? run.fork.parent) : run.id);
  return roots;
}

/** The estimated work of one run over the experiment's budget (see STEP_OVERHEAD). */
function runCost(run: RunSpec, budgetSteps: number): number {
  const start = run.fork?.atStep ?? 0;
  const cut = run.change ? Math.max(start, Math.min(run.change.atStep, budgetSteps)) : budgetSteps;
  const later = run.change ? Math.max(1, Math.round(run.batchSize * run.change.batchFactor)) : run.batchSize;
  return (cut - start) * (run.batchSize + STEP_OVERHEAD) + (budgetSteps - cut) * (later + STEP_OVERHEAD);
}

/**
 * The run ids of each of n shares (in spec order within a share; a share may be empty when there are fewer
 * families than shares).
 */
export function partitionRuns(spec: Pick<ExperimentSpec, 'runs' | 'budgetSteps'>, n: number): string[][] {
  if (!Number.isInteger(n) || n < 1) throw new Error(`Cannot split runs into ${n} shares: give a whole number of at least 1`);
  const roots = familyRoots(spec.runs);
  const families = new Map<string, { cost: number; order: number }>();
  spec.runs.forEach((run, order) => {
    const root = roots.get(run.id)!;
    const family = families.get(root) ?? { cost: 0, order };
    family.cost += runCost(run, spec.budgetSteps);
    families.set(root, family);
  });
  const load = new Array<number>(n).fill(0);
  const shareOf = new Map<string, number>();
  [...families.entries()]
    .sort(([, a], [, b]) => b.cost - a.cost || a.order - b.order)
    .forEach(([root, family]) => {
      const share = load.indexOf(Math.min(...load));
      load[share] += family.cost;
      shareOf.set(root, share);
    });
  const shares: string[][] = Array.from({ length: n }, () => []);
  for (const run of spec.runs) shares[shareOf.get(roots.get(run.id)!)!].push(run.id);
  return shares;
}
