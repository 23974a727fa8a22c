/**
 * The pure bookkeeping of a pool of training workers: the part of the experiment each worker trains, one
 * checkpoint of the whole experiment from the workers' own (and back), and the rows a replacement worker
 * replays that the page already holds. No workers, DOM or tfjs here, so it is unit-tested in Node.
 */
import { CHECKPOINT_FORMAT, type TrainerCheckpoint } from '../../engine/checkpoint';
import type { LadderPoint } from '../../engine/ladder';
import type { MetricRow } from '../../engine/trainer';
import type { ExperimentSpec } from '../../spec/schema';

/**
 * The experiment a worker trains: every shared setting and every comparison (their levels join each
 * worker's loss ladder, so a run records them wherever it trains), and only its own runs.
 */
export function subSpec(spec: ExperimentSpec, ids: ReadonlySet<string>): ExperimentSpec {
  return { ...spec, runs: spec.runs.filter((r) => ids.has(r.id)) };
}

/** One checkpoint of the whole experiment from one per worker: the runs in the experiment's order. */
export function combineCheckpoints(spec: ExperimentSpec, parts: readonly TrainerCheckpoint[]): TrainerCheckpoint {
  const byId = new Map(parts.flatMap((part) => part.runs.map((run) => [run.id, run] as const)));
  return { format: CHECKPOINT_FORMAT, spec, runs: spec.runs.flatMap((r) => byId.get(r.id) ?? []) };
}

/** The part of `checkpoint` a worker training `ids` restores (its runs, and the experiment cut to them). */
export function checkpointShare(checkpoint: TrainerCheckpoint, ids: ReadonlySet<string>): TrainerCheckpoint {
  return { ...checkpoint, spec: subSpec(checkpoint.spec, ids), runs: checkpoint.runs.filter((r) => ids.has(r.id)) };
}

/**
 * Merges a worker's changed experiment (a fork it added, a comparison it took) into the whole one: new
 * runs are appended (as Trainer.forkNow appends them), and the comparisons are the worker's, since every
 * worker holds them all.
 */
export function mergeSpec(whole: ExperimentSpec, part: ExperimentSpec): ExperimentSpec {
  const known = new Set(whole.runs.map((r) => r.id));
  return { ...whole, runs: [...whole.runs, ...part.runs.filter((r) => !known.has(r.id))], comparisons: part.comparisons };
}

/**
 * A replacement worker restores its runs from their last checkpoint and trains again the steps since,
 * which the page already holds: those rows and ladder points are dropped, the rest pass. `held` is each
 * run's last step on the page when the worker was lost. Training is deterministic on one backend, so the
 * dropped rows equal the ones kept (test/replay.test.ts).
 */
export class Replay {
  constructor(private readonly held: ReadonlyMap<string, number>) {}

  rows(rows: Record<string, MetricRow[]>): Record<string, MetricRow[]> {
    return Object.fromEntries(Object.entries(rows).map(([id, list]) => [id, list.filter((row) => row.step > (this.held.get(id) ?? 0))]));
  }

  ladder(points: Record<string, LadderPoint[]>): Record<string, LadderPoint[]> {
    return Object.fromEntries(
      Object.entries(points)
        .map(([id, list]) => [id, list.filter((p) => p.step > (this.held.get(id) ?? 0))] as const)
        .filter(([, list]) => list.length > 0),
    );
  }

  /** Whether a run has got back to where the page stood (a run that stopped has nothing more to replay). */
  caughtUp(id: string, step: number, stopped: boolean): boolean {
    return stopped || step >= (this.held.get(id) ?? 0);
  }
}
