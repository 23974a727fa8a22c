/**
 * A verdict per claim (SCIENCE.md): tests, on the runs at hand, the claim an experiment is built to show and
 * says in words whether it holds so far and how strongly. Which claims apply follows from the experiment's
 * structure, so every preset, demo and hand-made experiment gets the ones it can test:
 *   - batch order: seed groups at one η and several batch sizes — online, the larger batch is lower at every
 *     evaluated step (claim 1); offline, whether the smallest batch ends lowest (claim 4, the contrast);
 *   - noise cut: a run with a scheduled change or a fork against the run it left — the branch below its
 *     parent at every evaluation since the cut (claim 3);
 *   - equal loss: each comparison's distance against its seed baseline, with bootstrap intervals (claim 3).
 * Pure: the live panel and the headless runner's `verdicts` share it.
 */
import type { ExperimentSpec, RunSpec } from '../spec/schema';
import { meanBand, seedGroups } from './groups';

export type VerdictStatus = 'holds' | 'mostly' | 'fails' | 'pending' | 'contrast';

export interface Verdict {
  /** Which claim: 'batch-order', 'noise-cut' or 'equal-loss'. */
  claim: 'batch-order' | 'noise-cut' | 'equal-loss';
  status: VerdictStatus;
  /** One sentence a student can read. */
  text: string;
  /** The counts behind it, where it counts steps. */
  count?: { of: number; total: number };
}

/** What the verdicts read of a run: its held-out losses. */
export type EvalRows = ReadonlyArray<{ step: number; evalLoss?: number | null }>;

/** What they read of a comparison: the pair's and the baseline's distance with intervals (compare.ts). */
export interface ComparisonFacts {
  a: string;
  b: string;
  level: number;
  distance: number;
  interval: [number, number];
  baseline: number | null;
  baselineInterval: [number, number] | null;
  ratioInterval: [number, number] | null;
}

/** Share of evaluated steps at which a claim must hold to be called so ("holds") or mostly so. */
const HOLDS = 0.9;
const MOSTLY = 0.7;
/** Evaluations needed before saying anything. */
const MIN_STEPS = 3;

const pct = (k: number, n: number) => `${Math.round((100 * k) / n)} %`;
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2));

function strength(k: number, n: number): VerdictStatus {
  if (n < MIN_STEPS) return 'pending';
  return k / n >= HOLDS ? 'holds' : k / n >= MOSTLY ? 'mostly' : 'fails';
}

/** Held-out loss by step, averaged over the runs given (a seed group's mean). */
function meanByStep(members: readonly EvalRows[]): Map<number, number> {
  const values = new Map<number, number[]>();
  for (const rows of members) {
    for (const r of rows) {
      if (r.evalLoss === undefined || r.evalLoss === null) continue;
      const list = values.get(r.step) ?? [];
      list.push(r.evalLoss);
      values.set(r.step, list);
    }
  }
  const out = new Map<number, number>();
  // Only steps every member reached, so a mean never mixes in a missing seed.
  for (const [step, list] of values) if (list.length === members.length) out.set(step, meanBand(list, 'std')!.mean);
  return out;
}

const plain = (run: RunSpec) => !run.change && !run.fork;

function batchOrder(spec: ExperimentSpec, metrics: ReadonlyMap<string, EvalRows>): Verdict[] {
  const byId = new Map(spec.runs.map((r) => [r.id, r]));
  const groups = seedGroups(spec.runs.filter(plain));
  const byLr = new Map<number, Array<{ batchSize: number; label: string; loss: Map<number, number> }>>();
  for (const g of groups) {
    const first = byId.get(g.runs[0])!;
    const list = byLr.get(first.learningRate) ?? [];
    list.push({ batchSize: first.batchSize, label: g.runs.length > 1 ? `B = ${first.batchSize}` : first.id, loss: meanByStep(g.runs.map((id) => metrics.get(id) ?? [])) });
    byLr.set(first.learningRate, list);
  }
  const verdicts: Verdict[] = [];
  for (const list of byLr.values()) {
    const sizes = new Set(list.map((g) => g.batchSize));
    if (sizes.size < 2 || sizes.size !== list.length) continue;
    list.sort((x, y) => x.batchSize - y.batchSize);
    const steps = [...list[0].loss.keys()].filter((s) => list.every((g) => g.loss.has(s))).sort((a, b) => a - b);
    if (spec.regime.kind === 'online') {
      const ordered = steps.filter((s) => list.every((g, i) => i === 0 || g.loss.get(s)! < list[i - 1].loss.get(s)!)).length;
      const status = strength(ordered, steps.length);
      const text =
        status === 'pending'
          ? `larger batch lower: waiting for evaluations (${steps.length} so far)`
          : `larger batch lower at ${pct(ordered, steps.length)} of evaluated steps (${ordered} of ${steps.length})${status === 'holds' ? ': holds' : status === 'mostly' ? ': mostly holds' : ': does not hold'}`;
      verdicts.push({ claim: 'batch-order', status, text, count: { of: ordered, total: steps.length } });
      continue;
    }
    // Offline the claim is the contrast: at the end the smallest batch can be lowest on held-out loss.
    const last = steps[steps.length - 1];
    if (last === undefined || steps.length < MIN_STEPS) {
      verdicts.push({ claim: 'batch-order', status: 'pending', text: `offline contrast: waiting for evaluations (${steps.length} so far)` });
      continue;
    }
    const lowest = list.reduce((best, g) => (g.loss.get(last)! < best.loss.get(last)! ? g : best));
    const largest = list[list.length - 1];
    const smallestWins = lowest === list[0];
    verdicts.push({
      claim: 'batch-order',
      status: 'contrast',
      text: smallestWins
        ? `offline, at step ${last} the smallest batch (${list[0].label}) is lowest on held-out loss (${fmt(list[0].loss.get(last)!)} vs ${fmt(largest.loss.get(last)!)} for ${largest.label}): the online order is reversed`
        : `offline, at step ${last} ${lowest.label} is lowest on held-out loss (${fmt(lowest.loss.get(last)!)}); the smallest batch has not (yet) overtaken`,
    });
  }
  return verdicts;
}

/** The run a cut or a fork is measured against: a fork's parent, or the same run without its change. */
function baseOf(spec: ExperimentSpec, run: RunSpec): RunSpec | undefined {
  if (run.fork) return spec.runs.find((r) => r.id === run.fork!.parent);
  if (!run.change) return undefined;
  return spec.runs.find((r) => plain(r) && r.batchSize === run.batchSize && r.learningRate === run.learningRate && r.seed === run.seed);
}

function noiseCut(spec: ExperimentSpec, metrics: ReadonlyMap<string, EvalRows>): Verdict[] {
  return spec.runs.flatMap((run): Verdict[] => {
    const base = baseOf(spec, run);
    if (!base) return [];
    const cut = run.fork ? run.fork.atStep : run.change!.atStep;
    const mine = new Map((metrics.get(run.id) ?? []).filter((r) => r.step > cut && typeof r.evalLoss === 'number').map((r) => [r.step, r.evalLoss as number]));
    const steps = (metrics.get(base.id) ?? []).filter((r) => typeof r.evalLoss === 'number' && mine.has(r.step));
    const below = steps.filter((r) => mine.get(r.step)! < (r.evalLoss as number)).length;
    const n = steps.length;
    const what = run.fork ? `fork ${run.id}` : `${run.id} (cut at step ${cut})`;
    if (n < MIN_STEPS) return [{ claim: 'noise-cut', status: 'pending', text: `${what} below ${base.id}: waiting for evaluations since the cut (${n} so far)` }];
    const lastStep = steps[n - 1].step;
    const endsBelow = mine.get(lastStep)! < (steps[n - 1].evalLoss as number);
    if (spec.regime.kind === 'offline') {
      return [
        {
          claim: 'noise-cut',
          status: 'contrast',
          text: `offline, ${what} below ${base.id} at ${below} of ${n} evaluations since the cut, and ${endsBelow ? 'still below' : 'above'} it at step ${lastStep}`,
          count: { of: below, total: n },
        },
      ];
    }
    const status = strength(below, n);
    const text =
      below === n ? `${what} below ${base.id} at every evaluation since the cut (${n} of ${n}): holds` : `${what} below ${base.id} at ${pct(below, n)} of evaluations since the cut (${below} of ${n})${status === 'holds' ? ': holds' : status === 'mostly' ? ': mostly holds' : ': does not hold'}`;
    return [{ claim: 'noise-cut', status, text, count: { of: below, total: n } }];
  });
}

const interval = ([lo, hi]: [number, number]) => `[${fmt(lo)}, ${fmt(hi)}]`;

/**
 * Pair distance against its seed baseline: within it (intervals overlap), closer, or farther. Offline,
 * farther is the contrast the claim expects, not a failure.
 */
export function equalLossVerdict(c: ComparisonFacts, offline = false): Verdict {
  const pair = `${c.a} vs ${c.b}: distance ${fmt(c.distance)} ${interval(c.interval)}`;
  if (c.baseline === null || !c.baselineInterval) return { claim: 'equal-loss', status: 'pending', text: `${pair} at loss ${fmt(c.level)}; no seed baseline yet` };
  const base = `seed baseline ${fmt(c.baseline)} ${interval(c.baselineInterval)}`;
  const ratio = c.ratioInterval ? `; ratio ${fmt(c.distance / c.baseline)} ${interval(c.ratioInterval)}` : '';
  const [lo, hi] = c.interval;
  const [blo, bhi] = c.baselineInterval;
  const where = hi < blo ? 'closer than the baseline' : lo > bhi ? 'farther than the baseline' : 'within the baseline';
  const status = offline ? 'contrast' : lo > bhi ? 'fails' : 'holds';
  return { claim: 'equal-loss', status, text: `${offline ? 'offline, ' : ''}${pair} vs ${base} at loss ${fmt(c.level)}${ratio}: ${where}` };
}

/** Every verdict the experiment's structure allows, on its runs' held-out losses and its comparisons. */
export function verdicts(spec: ExperimentSpec, metrics: ReadonlyMap<string, EvalRows>, comparisons: readonly ComparisonFacts[] = []): Verdict[] {
  return [...batchOrder(spec, metrics), ...noiseCut(spec, metrics), ...comparisons.map((c) => equalLossVerdict(c, spec.regime.kind === 'offline'))];
}
