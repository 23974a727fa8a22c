/**
 * The trainer advances every run of an experiment in lockstep (one step per run per tick) and reports
 * metric rows. Runs at the same batch size (and estimator phase) may train as one group along the run axis;
 * whether they do is the caller's choice (`groupRuns`), because stacking pays on a GPU and can cost on wasm
 * (PLATFORM.md). Each run's numbers depend only on the experiment and its own run spec, never on its
 * neighbours: chunks end exactly where any run's batch size changes or a fork branches off.
 *
 * Its parts live beside it: run state and metric rows (runState.ts), groups along the run axis (groups.ts),
 * a chunk of steps with its evaluation and ladder (chunk.ts), forks and edits (forks.ts), the probe set's
 * shape (probe.ts) and checkpoints (checkpoint.ts). This class holds the experiment's state and their order.
 */
import * as tf from './tf';
import { MAX_COMPARISONS, type ExperimentSpec, type RunSpec } from '../spec/schema';
import { createModel } from './models';
import type { Model } from './models/model';
import { Domain, hashKeys } from './rng';
import { evaluate } from './step';
import { ladderExamples, ladderLevels, mapGrid, type LadderPoint, type MapGrid } from './ladder';
import { OfflineSource, createSource, type SampleSource } from './stream';
import { createTask, type Task } from './tasks';
import type { Assets } from './data/assets';
import { CHECKPOINT_FORMAT, loadTracker, readTensors, saveTracker, type TrainerCheckpoint } from './checkpoint';
import { batchAt, freshRun, onlineSamplesLeft, progressOf, type MetricRow, type RunProgress, type RunState } from './runState';
import { buildGroups, initialTensors, sliceRun, splitGroups, type EvalSets, type Group } from './stacking';
import { advanceGroup, stepConfig, type ChunkContext } from './chunk';
import { runsToRestart, startForks } from './forks';
import { chanceLoss, probeInfo, type ProbeInfo } from './probe';

export type { MetricRow, RunProgress, RunStatus } from './runState';
export type { ProbeInfo } from './probe';
export { microBatchesFor } from './stacking';

export interface TrainerOptions {
  /** Train runs that share a batch size as one computation along the run axis. */
  groupRuns: boolean;
  /** The data files the tasks need (data/assets.ts), loaded by the host; the map may grow between updates. */
  assets?: Assets;
}

/** Everything that, when changed, restarts every run (the runs and the comparisons excepted). */
function sharedPart(spec: ExperimentSpec): string {
  const { runs: _runs, comparisons: _comparisons, ...rest } = spec;
  return JSON.stringify(rest);
}

export class Trainer {
  private spec!: ExperimentSpec;
  private task!: Task;
  private source!: SampleSource;
  private model!: Model;
  private probeX!: Float32Array;
  private probeY!: Float32Array;
  /** Offline: the first examples of the training set, evaluated like the probe set. */
  private trainSet: { x: Float32Array; y: Float32Array; size: number } | null = null;
  private runs: RunState[] = [];
  private groups: Group[] = [];
  private needsRegroup = true;
  private levels: number[] = [];
  /** Probe examples whose outputs a ladder point keeps. */
  private ladderKeep = 1;
  private grid: MapGrid | null = null;
  /** Ladder points recorded since the last drainLadder(), per run. */
  private newPoints = new Map<string, LadderPoint[]>();
  /** The Bayes loss on the probe set where the task knows it: the floor of the held-out loss. */
  lossFloor: number | null = null;

  constructor(
    spec: ExperimentSpec,
    private readonly options: TrainerOptions,
  ) {
    this.load(spec);
  }

  private load(spec: ExperimentSpec): void {
    this.spec = spec;
    this.task = createTask(spec.task, spec.dataSeed, this.options.assets);
    this.source = createSource(this.task, spec.dataSeed, spec.regime);
    this.model = createModel(spec.model, this.task);
    const p = spec.probeSize;
    this.probeX = new Float32Array(p * this.task.inputDim);
    this.probeY = new Float32Array(p * this.task.outputDim);
    this.task.fill(hashKeys(spec.dataSeed, Domain.probe), 0, p, this.probeX, this.probeY);
    this.lossFloor = this.task.bayesLoss(this.probeX, p);
    this.ladderKeep = ladderExamples(p, this.task.outputDim);
    this.grid = this.task.inputDim === 2 ? mapGrid(this.probeX) : null;
    this.levels = ladderLevels(spec, chanceLoss(this.task, this.probeY), this.lossFloor);
    this.newPoints.clear();
    this.trainSet = null;
    if (this.source instanceof OfflineSource) {
      // The training-set loss is measured on a fixed slice as large as the probe set (the set is i.i.d.).
      const size = Math.min(this.source.epochSize, spec.probeSize);
      const { x, y } = this.source;
      this.trainSet = { x: x.subarray(0, size * this.task.inputDim), y: y.subarray(0, size * this.task.outputDim), size };
    }
    this.runs = spec.runs.map((r) => freshRun(this.spec, r));
    this.needsRegroup = true;
  }

  /** How to read this experiment's ladder outputs (see ProbeInfo). */
  probeInfo(): ProbeInfo {
    return probeInfo(this.task, this.probeX, this.probeY, this.ladderKeep, this.levels, this.grid);
  }

  /** Every run's ladder points recorded since the last call (a fork's inherited ones included). */
  drainLadder(): Map<string, LadderPoint[]> {
    const points = this.newPoints;
    this.newPoints = new Map();
    return points;
  }

  /** A run's whole ladder so far. */
  ladder(id: string): LadderPoint[] {
    return this.runs.find((r) => r.id === id)?.ladder ?? [];
  }

  private record(run: RunState, points: LadderPoint[]): void {
    if (!points.length) return;
    run.ladder.push(...points);
    const fresh = this.newPoints.get(run.id) ?? [];
    fresh.push(...points);
    this.newPoints.set(run.id, fresh);
  }

  get experiment(): ExperimentSpec {
    return this.spec;
  }

  progress(): RunProgress[] {
    return this.runs.map(progressOf);
  }

  get active(): boolean {
    return this.runs.some((r) => r.status === 'running' || r.status === 'waiting');
  }

  /**
   * Adopts an edited experiment. A change to anything but the runs restarts every run; otherwise runs whose
   * spec is unchanged keep training, edited and new runs start from step 0 (a fork from its fork step),
   * and removed runs are dropped. A fork whose parent is already past the fork step restarts the parent.
   * Returns the ids of the runs that (re)started.
   */
  update(spec: ExperimentSpec): string[] {
    if (sharedPart(spec) !== sharedPart(this.spec)) {
      this.disposeState();
      this.load(spec);
      return spec.runs.map((r) => r.id);
    }
    this.splitGroups();
    // New comparison levels join the ladder; a run already below one has missed it (a reset records it).
    this.levels = ladderLevels(spec, chanceLoss(this.task, this.probeY), this.lossFloor);
    const old = new Map(this.runs.map((r) => [r.id, r]));
    const restart = runsToRestart(spec, old);
    this.spec = spec;
    this.runs = [];
    for (const runSpec of spec.runs) {
      const prev = old.get(runSpec.id);
      old.delete(runSpec.id);
      if (prev && !restart.has(runSpec.id)) {
        this.runs.push(prev);
        continue;
      }
      prev?.loose?.forEach((t) => t.dispose());
      this.newPoints.delete(runSpec.id);
      this.runs.push(freshRun(this.spec, runSpec));
    }
    for (const gone of old.values()) gone.loose?.forEach((t) => t.dispose());
    this.needsRegroup = true;
    return spec.runs.filter((r) => restart.has(r.id)).map((r) => r.id);
  }

  /**
   * Forks `parentId` now: adds `child` (its batch size and learning rate; id, seed and fork filled in here)
   * starting from the parent's exact current state. Returns the updated experiment.
   */
  forkNow(parentId: string, child: Pick<RunSpec, 'id' | 'batchSize' | 'learningRate'>): ExperimentSpec {
    const parent = this.runs.find((r) => r.id === parentId);
    if (!parent) throw new Error(`There is no run "${parentId}" to fork.`);
    if (parent.status !== 'running') throw new Error(`Run "${parentId}" is ${parent.status}: only a training run can be forked.`);
    if (this.runs.some((r) => r.id === child.id)) throw new Error(`Run id "${child.id}" is already used.`);
    const spec: RunSpec = { ...child, seed: parent.spec.seed, fork: { parent: parentId, atStep: parent.step } };
    this.splitGroups();
    this.spec = { ...this.spec, runs: [...this.spec.runs, spec] };
    this.runs.push(freshRun(this.spec, spec));
    this.startForks();
    this.needsRegroup = true;
    return this.spec;
  }

  /**
   * "Snapshot now": compares `a` and `b` at the held-out loss of whichever is further down, right now. That
   * run is evaluated and recorded at once; the other records the level when it first gets there. The
   * comparison joins the experiment (with its level, so a link replays it), which is returned.
   */
  async snapshotNow(a: string, b: string, elsewhere?: RunProgress): Promise<ExperimentSpec> {
    if (a === b) throw new Error(`A run cannot be compared with itself ("${a}"): choose two different runs.`);
    // `elsewhere`: the other run's latest progress, when another worker of the page's pool trains it.
    const pair = [a, b].map((id) => {
      const run: RunProgress | undefined = this.runs.find((r) => r.id === id) ?? (elsewhere?.id === id ? elsewhere : undefined);
      if (!run) throw new Error(`There is no run "${id}" to compare.`);
      if (run.evalLoss === null) throw new Error(`${id} has no held-out loss yet: let it train a little first.`);
      return run;
    });
    if (this.spec.comparisons.length >= MAX_COMPARISONS) throw new Error(`At most ${MAX_COMPARISONS} comparisons: remove one first.`);
    // With `elsewhere`, the pool has already picked this trainer's run as the one further down.
    const ahead = elsewhere ? pair.find((r) => r.id !== elsewhere.id)! : pair[0].evalLoss! <= pair[1].evalLoss! ? pair[0] : pair[1];
    if (ahead.status !== 'running') throw new Error(`${ahead.id} is ${ahead.status}, and "now" needs the run further down still training: choose a ladder level instead.`);
    const leader = this.runs.find((r) => r === ahead);
    if (!leader) throw new Error(`There is no run "${ahead.id}" here to record.`);
    if (this.needsRegroup) this.regroup();
    const tensors = this.copyRunTensors(leader);
    const params = tensors.slice(0, this.model.paramShapes().length);
    const { inputDim, outputDim } = this.task;
    const P = this.spec.probeSize;
    const probeX = tf.tensor3d(this.probeX, [1, P, inputDim]);
    const probeY = tf.tensor3d(this.probeY, [1, P, outputDim]);
    const gridX = this.grid && tf.tensor3d(this.grid.x, [1, this.grid.size ** 2, 2]);
    const evaluated = evaluate(stepConfig(this.task, this.model, this.spec, leader.batchSize), params, probeX, probeY, this.ladderKeep);
    const gridOut = gridX && tf.tidy(() => this.model.forward(params, gridX));
    const [loss, outputs, grid] = await Promise.all([evaluated.loss.data(), evaluated.outputs.data() as Promise<Float32Array>, gridOut ? (gridOut.data() as Promise<Float32Array>) : null]);
    tf.dispose([...tensors, probeX, probeY, evaluated.loss, evaluated.outputs, ...(gridX ? [gridX, gridOut!] : [])]);
    const level = loss[0];
    if (!Number.isFinite(level) || level <= 0) throw new Error(`${leader.id}'s held-out loss is ${level}: there is no level to compare at.`);
    this.spec = { ...this.spec, comparisons: [...this.spec.comparisons, { a, b, level }] };
    this.levels = ladderLevels(this.spec, chanceLoss(this.task, this.probeY), this.lossFloor);
    this.record(leader, [{ level, step: leader.step, samples: leader.samples, evalLoss: level, outputs, ...(grid ? { grid } : {}) }]);
    return this.spec;
  }

  /** Restarts every run from step 0 with the same experiment. */
  reset(): void {
    this.disposeState();
    this.newPoints.clear();
    this.runs = this.spec.runs.map((r) => freshRun(this.spec, r));
    this.needsRegroup = true;
  }

  /**
   * Advances every running run by up to `maxSteps` steps (fewer where its budget, a scheduled change or a
   * fork point comes sooner) and returns the new metric rows per run id. Losses are read back once per
   * group per call, not once per step.
   */
  async advance(maxSteps: number): Promise<Map<string, MetricRow[]>> {
    if (this.stopExhausted()) this.needsRegroup = true;
    if (this.needsRegroup) this.regroup();
    const rows = new Map<string, MetricRow[]>();
    for (const group of this.groups) {
      const steps = Math.min(maxSteps, ...group.runs.map((r) => this.stepsUntilEvent(r)));
      if (steps <= 0) continue;
      const groupRows = await advanceGroup(this.chunkContext(), group, steps);
      group.runs.forEach((run, i) => rows.set(run.id, groupRows[i]));
      if (group.runs.some((r) => r.status !== 'running' || batchAt(r.spec, r.step) !== group.batchSize)) this.needsRegroup = true;
    }
    if (this.stopExhausted()) this.needsRegroup = true;
    if (this.startForks()) this.needsRegroup = true;
    return rows;
  }

  /** Steps `run` may take before something changes its group: its budget, its change, a fork of it, or the end of its data. */
  private stepsUntilEvent(run: RunState): number {
    const events = [this.spec.budgetSteps];
    const left = onlineSamplesLeft(this.task, this.spec, run);
    if (left !== null) events.push(run.step + Math.floor(left / batchAt(run.spec, run.step)));
    if (run.spec.change && run.step < run.spec.change.atStep) events.push(run.spec.change.atStep);
    for (const other of this.runs) {
      if (other.status === 'waiting' && other.spec.fork!.parent === run.id && run.step < other.spec.fork!.atStep) events.push(other.spec.fork!.atStep);
    }
    return Math.min(...events) - run.step;
  }

  /**
   * Online, a finite set is used once: a run whose next batch would need a second pass stops as done,
   * with the reason. Returns true when any run stopped.
   */
  private stopExhausted(): boolean {
    let stopped = false;
    for (const run of this.runs) {
      const left = onlineSamplesLeft(this.task, this.spec, run);
      const batch = batchAt(run.spec, run.step);
      if (run.status !== 'running' || left === null || left >= batch) continue;
      run.status = 'done';
      run.reason = `used up the ${this.task.streamSize!.toLocaleString('en-US')} training samples after ${run.step.toLocaleString('en-US')} steps (online training is a single pass; step ${run.step + 1} would need ${batch} more, ${left} are left)`;
      stopped = true;
    }
    return stopped;
  }

  /** Starts the waiting forks whose parents stand at their fork steps (forks.ts); true when any started or failed. */
  private startForks(): boolean {
    return startForks(this.runs, this.spec, (parent) => this.copyRunTensors(parent), (run, points) => this.record(run, points));
  }

  private chunkContext(): ChunkContext {
    const { spec: experiment, task, source, model, levels, ladderKeep } = this;
    return { experiment, task, source, model, levels, ladderKeep, record: (run, points) => this.record(run, points) };
  }

  /** A copy of one run's tensors (parameters, then optimizer slots; each [1, ...]); the caller owns it. */
  private copyRunTensors(run: RunState): tf.Tensor[] {
    if (run.loose) return run.loose.map((t) => tf.clone(t));
    const group = this.groups.find((g) => g.runs.includes(run));
    if (!group && run.step === 0) return initialTensors(this.model, this.spec, run.spec.seed); // not started yet: its seeded start
    if (!group) throw new Error(`run ${run.id} holds no state`);
    return sliceRun(group, run);
  }

  /** Splits every group into per-run tensors (run.loose), leaving no groups. */
  private splitGroups(): void {
    splitGroups(this.groups);
    this.groups = [];
  }

  /** Rebuilds the groups from the running runs: by batch size (and estimator phase), or one per run. */
  private regroup(): void {
    this.splitGroups();
    this.startForks();
    const running: RunState[] = [];
    for (const run of this.runs) {
      if (run.status !== 'running') {
        if (run.status !== 'waiting') {
          run.loose?.forEach((t) => t.dispose());
          run.loose = undefined;
        }
        continue;
      }
      run.loose ??= initialTensors(this.model, this.spec, run.spec.seed);
      running.push(run);
    }
    const sets: EvalSets = {
      inputDim: this.task.inputDim,
      outputDim: this.task.outputDim,
      probeX: this.probeX,
      probeY: this.probeY,
      probeSize: this.spec.probeSize,
      trainSet: this.trainSet,
      grid: this.grid,
    };
    this.groups = buildGroups(running, this.spec, this.model, sets, this.options.groupRuns);
    this.needsRegroup = false;
  }

  /** Reads one run's current parameters (for tests and export). */
  async runParams(id: string): Promise<Float32Array[]> {
    if (this.needsRegroup) this.regroup();
    const run = this.runs.find((r) => r.id === id);
    if (!run || run.status !== 'running') throw new Error(`run ${id} is not training`);
    const tensors = this.copyRunTensors(run);
    const values = await Promise.all(tensors.slice(0, this.model.paramShapes().length).map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(tensors);
    return values;
  }

  private disposeState(): void {
    this.splitGroups();
    for (const run of this.runs) {
      run.loose?.forEach((t) => t.dispose());
      run.loose = undefined;
    }
  }

  dispose(): void {
    this.disposeState();
    this.runs = [];
  }

  /** Every run's state, parameters and optimizer slots as plain data (checkpoint.ts), to resume from later. */
  async checkpoint(): Promise<TrainerCheckpoint> {
    const runs = await Promise.all(
      this.runs.map(async (run) => {
        const { spec: _spec, noise, loose: _loose, ...state } = run;
        const tensors = run.status === 'running' ? this.copyRunTensors(run) : null;
        const saved = tensors && (await readTensors(tensors));
        if (tensors) tf.dispose(tensors);
        return { id: run.id, state: structuredClone(state) as Record<string, unknown>, noise: saveTracker(noise), tensors: saved };
      }),
    );
    return { format: CHECKPOINT_FORMAT, spec: this.spec, runs };
  }

  /** Puts every run back where `checkpoint` (taken of a trainer of the same experiment) left it. */
  restore(checkpoint: TrainerCheckpoint): void {
    this.disposeState();
    const saved = new Map(checkpoint.runs.map((r) => [r.id, r]));
    for (const run of this.runs) {
      const s = saved.get(run.id);
      if (!s) continue;
      Object.assign(run, s.state, { id: run.id, noise: loadTracker(s.noise) });
      run.loose = s.tensors?.map((t) => tf.tensor(t.values, t.shape, 'float32'));
    }
    this.needsRegroup = true;
  }
}
