/**
 * Forks and edits: which runs an edited experiment restarts, and the start of a waiting fork from its
 * parent's exact state (parameters, optimizer state, stream position, noise estimates, ladder history).
 */
import type * as tf from './tf';
import type { ExperimentSpec } from '../spec/schema';
import { temperature } from './noise';
import type { LadderPoint } from './ladder';
import { batchAt, lrAt, progressOf, type RunState } from './runState';

/**
 * The ids of the runs of `spec` that (re)start when it replaces the runs `old` (by id): new and edited runs;
 * a parent already past the step of a (re)started fork; every fork of a restarted parent.
 */
export function runsToRestart(spec: ExperimentSpec, old: Map<string, RunState>): Set<string> {
  const restart = new Set<string>();
  for (const run of spec.runs) {
    const prev = old.get(run.id);
    if (!prev || JSON.stringify(prev.spec) !== JSON.stringify(run)) restart.add(run.id);
  }
  // A (re)started fork needs its parent's state at the fork step, so a parent already past it restarts
  // too (up the chain: runs are listed after their parents, so walk backwards); and a restarted parent
  // restarts every fork of it (down the chain: walk forwards).
  for (const run of [...spec.runs].reverse()) {
    const parent = run.fork && old.get(run.fork.parent);
    if (parent && restart.has(run.id) && parent.step > run.fork!.atStep) restart.add(parent.id);
  }
  for (const run of spec.runs) if (run.fork && restart.has(run.fork.parent)) restart.add(run.id);
  return restart;
}

/**
 * Starts every waiting fork whose parent stands at the fork step (chunks end exactly there), from a copy
 * of the parent's parameters, optimizer state, stream position and noise estimates. A fork whose parent
 * diverged first, or somehow went past the fork step, cannot start: it is marked diverged, with the reason.
 * Returns true when any fork started or failed.
 */
export function startForks(
  runs: RunState[],
  experiment: ExperimentSpec,
  copyTensors: (parent: RunState) => tf.Tensor[],
  record: (run: RunState, points: LadderPoint[]) => void,
): boolean {
  let changed = false;
  for (const child of runs) {
    if (child.status !== 'waiting') continue;
    const { parent: parentId, atStep } = child.spec.fork!;
    const parent = runs.find((r) => r.id === parentId)!;
    if (parent.status === 'waiting') continue;
    if (parent.step === atStep && parent.status !== 'diverged') {
      child.loose = copyTensors(parent);
      const { id: _id, status: _status, reason: _reason, ...state } = progressOf(parent);
      Object.assign(child, state, { status: 'running', streamKey: parent.streamKey, noise: parent.noise.clone() });
      record(child, [...parent.ladder]); // the history before the fork is the parent's
      child.batchSize = batchAt(child.spec, child.step);
      child.lr = lrAt(experiment, child.spec, child.step);
      child.temperature = temperature(child.lr, child.batchSize, experiment.optimizer);
      changed = true;
    } else if (parent.step >= atStep || parent.status !== 'running') {
      child.status = 'diverged';
      child.reason = `its parent ${parentId} ${parent.status === 'diverged' ? 'diverged' : 'stopped'} at step ${parent.step}, so the fork at step ${atStep} could not start`;
      changed = true;
    }
  }
  return changed;
}
