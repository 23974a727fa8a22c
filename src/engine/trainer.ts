/**
 * The trainer advances every run of an experiment in lockstep (one step per run per tick) and reports
 * metric rows. Runs at the same batch size (and estimator phase) may train as one group along the run axis;
 * whether they do is the caller's choice (`groupRuns`), because stacking pays on a GPU and can cost on wasm
 * (PLATFORM.md). Each run's numbers depend only on the experiment and its own run spec, never on its
 * neighbours: chunks end exactly where any run's batch size changes or a fork branches off.
 */
import * as tf from './tf';
import { MAX_COMPARISONS, type ExperimentSpec, type RunSpec } from '../spec/schema';
import { createModel, type Model } from './models';
import { NoiseScaleTracker, temperature, traceSigma, trueGradSq } from './noise';
import { slotsPerParam } from './optimizer';
import { Domain, hashKeys } from './rng';
import { lrFactor } from './schedule';
import { evalLoss, evaluate, trainStep, type GroupTensors, type StepConfig } from './step';
import { ladderExamples, ladderLevels, mapGrid, newlyReached, type LadderPoint, type MapGrid } from './ladder';
import type { OutputShape } from './distance';
import { OfflineSource, createSource, type SampleSource } from './stream';
import { createTask, type Task } from './tasks';
import type { Assets } from './data/assets';
import { CHECKPOINT_FORMAT, loadTracker, readTensors, saveTracker, type TrainerCheckpoint } from './checkpoint';

/** waiting: a fork whose parent has not reached the fork step yet. */
export type RunStatus = 'waiting' | 'running' | 'done' | 'diverged';

export interface MetricRow {
  step: number;
  samples: number;
  trainLoss: number;
  /** Held-out loss on the probe set, only on the steps where it was evaluated. */
  evalLoss?: number;
  /** Offline only: loss on a fixed subset of the training set, where evaluated. */
  trainSetLoss?: number;
  /** Batch size and learning rate used at this step. */
  batchSize: number;
  lr: number;
  /** η/B, or η/(B(1−β)) with momentum. */
  temperature: number;
  /** |ḡ|, the norm of the minibatch gradient, on the steps where noise was measured. */
  gradNorm?: number;
  /** B_simple = EMA(tr Σ) / EMA(|G|²), once defined. */
  noiseScale?: number;
  /** Time spent computing this run's steps so far (its group's compute time), in ms. */
  wallMs: number;
}

export interface RunProgress {
  id: string;
  status: RunStatus;
  step: number;
  samples: number;
  wallMs: number;
  batchSize: number;
  lr: number;
  temperature: number;
  noiseScale: number | null;
  trainLoss: number | null;
  evalLoss: number | null;
  trainSetLoss: number | null;
  /** Why the run stopped, when it did not simply finish its budget. */
  reason?: string;
}

interface RunState extends RunProgress {
  spec: RunSpec;
  /** The key of this run's sample order (a fork shares its parent's). */
  streamKey: number;
  noise: NoiseScaleTracker;
  /** Where this run first reached each ladder level it has reached, highest level first. */
  ladder: LadderPoint[];
  /** Tensors of this run alone ([1, ...]), held only between a regroup's split and its merge. */
  loose?: tf.Tensor[];
}

interface Group {
  batchSize: number;
  microBatches: number;
  runs: RunState[];
  tensors: GroupTensors;
  probeX: tf.Tensor;
  probeY: tf.Tensor;
  trainSetX: tf.Tensor | null;
  trainSetY: tf.Tensor | null;
  /** 2-D tasks: the decision-map grid's inputs, tiled [R, size², 2]. */
  gridX: tf.Tensor | null;
}

/** What the UI needs to read ladder outputs: the probe examples they were recorded on, and their shape. */
export interface ProbeInfo {
  /** Inputs of the recorded probe examples ([examples × inputDim]). */
  x: Float32Array;
  inputDim: number;
  examples: number;
  shape: OutputShape;
  /** Classification: each recorded row's label (examples × positions); null for regression. */
  labels: Int32Array | null;
  /** Regression: the RMS of the targets on the recorded examples (the scale of a distance); else null. */
  targetRms: number | null;
  /** The ladder's levels, highest first. */
  levels: number[];
  /** 2-D tasks: the grid the decision maps are drawn on. */
  grid: Omit<MapGrid, 'x'> | null;
  /** Image tasks: how an input row is a picture (row-major, channels last). */
  image: { width: number; height: number; channels: number } | null;
  /** Token tasks: the character of each token id. */
  vocabulary: string | null;
}

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

/** The largest k ≤ wanted (and ≥ 2) that splits the batch evenly, or 1 where none does. */
export function microBatchesFor(batchSize: number, wanted: number): number {
  for (let k = Math.min(wanted, batchSize); k >= 2; k--) if (batchSize % k === 0) return k;
  return 1;
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
    this.levels = ladderLevels(spec, this.chanceLoss(), this.lossFloor);
    this.newPoints.clear();
    this.trainSet = null;
    if (this.source instanceof OfflineSource) {
      // The training-set loss is measured on a fixed slice as large as the probe set (the set is i.i.d.).
      const size = Math.min(this.source.epochSize, spec.probeSize);
      const { x, y } = this.source;
      this.trainSet = { x: x.subarray(0, size * this.task.inputDim), y: y.subarray(0, size * this.task.outputDim), size };
    }
    this.runs = spec.runs.map((r) => this.freshRun(r));
    this.needsRegroup = true;
  }

  /** The probe loss of a constant guess: uniform over classes, or predicting 0 for regression. */
  private chanceLoss(): number {
    if (this.task.loss === 'xent') return Math.log(this.outputShape().classes);
    let sq = 0;
    for (const v of this.probeY) sq += v * v;
    return sq / this.probeY.length;
  }

  private outputShape(): OutputShape {
    const positions = this.task.positions ?? 1;
    return { loss: this.task.loss, classes: this.task.outputDim / positions, positions };
  }

  /** How to read this experiment's ladder outputs (see ProbeInfo). */
  probeInfo(): ProbeInfo {
    const n = this.ladderKeep;
    const shape = this.outputShape();
    const y = this.probeY.subarray(0, n * this.task.outputDim);
    let labels: Int32Array | null = null;
    let targetRms: number | null = null;
    if (shape.loss === 'xent') {
      labels = new Int32Array(y.length / shape.classes);
      for (let r = 0; r < labels.length; r++) {
        for (let j = 1; j < shape.classes; j++) if (y[r * shape.classes + j] > y[r * shape.classes + labels[r]]) labels[r] = j;
      }
    } else {
      targetRms = Math.sqrt(y.reduce((acc, v) => acc + v * v, 0) / y.length);
    }
    const grid = this.grid && { size: this.grid.size, extent: this.grid.extent };
    const { inputImage, vocabulary } = this.task; // image and text tasks only
    return {
      x: this.probeX.slice(0, n * this.task.inputDim),
      inputDim: this.task.inputDim,
      examples: n,
      shape,
      labels,
      targetRms,
      levels: [...this.levels],
      grid,
      image: inputImage ?? null,
      vocabulary: vocabulary ?? null,
    };
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

  private batchAt(run: RunSpec, step: number): number {
    const c = run.change;
    return c && step >= c.atStep ? Math.round(run.batchSize * c.batchFactor) : run.batchSize;
  }

  private lrAt(run: RunSpec, step: number): number {
    const c = run.change;
    const base = run.learningRate * lrFactor(this.spec.lrSchedule, step, this.spec.budgetSteps);
    return c && step >= c.atStep ? base / c.lrDivisor : base;
  }

  /** A run at step 0 (a fork waits for its parent, and takes its state and stream then). */
  private freshRun(spec: RunSpec): RunState {
    const batchSize = this.batchAt(spec, 0);
    const lr = this.lrAt(spec, 0);
    return {
      id: spec.id,
      spec,
      streamKey: hashKeys(this.spec.dataSeed, Domain.train, spec.seed),
      noise: new NoiseScaleTracker(this.spec.noise.smoothing),
      ladder: [],
      status: spec.fork ? 'waiting' : 'running',
      step: 0,
      samples: 0,
      wallMs: 0,
      batchSize,
      lr,
      temperature: temperature(lr, batchSize, this.spec.optimizer),
      noiseScale: null,
      trainLoss: null,
      evalLoss: null,
      trainSetLoss: null,
    };
  }

  get experiment(): ExperimentSpec {
    return this.spec;
  }

  progress(): RunProgress[] {
    return this.runs.map(({ spec: _s, streamKey: _k, noise: _n, loose: _l, ladder: _ladder, ...progress }) => ({ ...progress }));
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
    this.levels = ladderLevels(spec, this.chanceLoss(), this.lossFloor);
    const old = new Map(this.runs.map((r) => [r.id, r]));
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
      this.runs.push(this.freshRun(runSpec));
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
    this.runs.push(this.freshRun(spec));
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
    const evaluated = evaluate(this.stepConfig(leader.batchSize), params, probeX, probeY, this.ladderKeep);
    const gridOut = gridX && tf.tidy(() => this.model.forward(params, gridX));
    const [loss, outputs, grid] = await Promise.all([evaluated.loss.data(), evaluated.outputs.data() as Promise<Float32Array>, gridOut ? (gridOut.data() as Promise<Float32Array>) : null]);
    tf.dispose([...tensors, probeX, probeY, evaluated.loss, evaluated.outputs, ...(gridX ? [gridX, gridOut!] : [])]);
    const level = loss[0];
    if (!Number.isFinite(level) || level <= 0) throw new Error(`${leader.id}'s held-out loss is ${level}: there is no level to compare at.`);
    this.spec = { ...this.spec, comparisons: [...this.spec.comparisons, { a, b, level }] };
    this.levels = ladderLevels(this.spec, this.chanceLoss(), this.lossFloor);
    this.record(leader, [{ level, step: leader.step, samples: leader.samples, evalLoss: level, outputs, ...(grid ? { grid } : {}) }]);
    return this.spec;
  }

  /** Restarts every run from step 0 with the same experiment. */
  reset(): void {
    this.disposeState();
    this.newPoints.clear();
    this.runs = this.spec.runs.map((r) => this.freshRun(r));
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
      const groupRows = await this.advanceGroup(group, steps);
      group.runs.forEach((run, i) => rows.set(run.id, groupRows[i]));
      if (group.runs.some((r) => r.status !== 'running' || this.batchAt(r.spec, r.step) !== group.batchSize)) this.needsRegroup = true;
    }
    if (this.stopExhausted()) this.needsRegroup = true;
    if (this.startForks()) this.needsRegroup = true;
    return rows;
  }

  /** Steps `run` may take before something changes its group: its budget, its change, a fork of it, or the end of its data. */
  private stepsUntilEvent(run: RunState): number {
    const events = [this.spec.budgetSteps];
    const left = this.onlineSamplesLeft(run);
    if (left !== null) events.push(run.step + Math.floor(left / this.batchAt(run.spec, run.step)));
    if (run.spec.change && run.step < run.spec.change.atStep) events.push(run.spec.change.atStep);
    for (const other of this.runs) {
      if (other.status === 'waiting' && other.spec.fork!.parent === run.id && run.step < other.spec.fork!.atStep) events.push(other.spec.fork!.atStep);
    }
    return Math.min(...events) - run.step;
  }

  /** Online on a finite set (Task.streamSize): the samples left in the run's single pass; else null. */
  private onlineSamplesLeft(run: RunState): number | null {
    const size = this.task.streamSize;
    return size === undefined || this.spec.regime.kind !== 'online' ? null : size - run.samples;
  }

  /**
   * Online, a finite set is used once: a run whose next batch would need a second pass stops as done,
   * with the reason. Returns true when any run stopped.
   */
  private stopExhausted(): boolean {
    let stopped = false;
    for (const run of this.runs) {
      const left = this.onlineSamplesLeft(run);
      const batch = this.batchAt(run.spec, run.step);
      if (run.status !== 'running' || left === null || left >= batch) continue;
      run.status = 'done';
      run.reason = `used up the ${this.task.streamSize!.toLocaleString('en-US')} training samples after ${run.step.toLocaleString('en-US')} steps (online training is a single pass; step ${run.step + 1} would need ${batch} more, ${left} are left)`;
      stopped = true;
    }
    return stopped;
  }

  /**
   * Starts every waiting fork whose parent stands at the fork step (chunks end exactly there), from a copy
   * of the parent's parameters, optimizer state, stream position and noise estimates. A fork whose parent
   * diverged first, or somehow went past the fork step, cannot start: it is marked diverged, with the reason.
   * Returns true when any fork started or failed.
   */
  private startForks(): boolean {
    let changed = false;
    for (const child of this.runs) {
      if (child.status !== 'waiting') continue;
      const { parent: parentId, atStep } = child.spec.fork!;
      const parent = this.runs.find((r) => r.id === parentId)!;
      if (parent.status === 'waiting') continue;
      if (parent.step === atStep && parent.status !== 'diverged') {
        child.loose = this.copyRunTensors(parent);
        const { id: _id, status: _status, reason: _reason, ...state } = this.progress().find((p) => p.id === parentId)!;
        Object.assign(child, state, { status: 'running', streamKey: parent.streamKey, noise: parent.noise.clone() });
        this.record(child, [...parent.ladder]); // the history before the fork is the parent's
        child.batchSize = this.batchAt(child.spec, child.step);
        child.lr = this.lrAt(child.spec, child.step);
        child.temperature = temperature(child.lr, child.batchSize, this.spec.optimizer);
        changed = true;
      } else if (parent.step >= atStep || parent.status !== 'running') {
        child.status = 'diverged';
        child.reason = `its parent ${parentId} ${parent.status === 'diverged' ? 'diverged' : 'stopped'} at step ${parent.step}, so the fork at step ${atStep} could not start`;
        changed = true;
      }
    }
    return changed;
  }

  private stepConfig(batchSize: number): StepConfig {
    return {
      batchSize,
      inputDim: this.task.inputDim,
      outputDim: this.task.outputDim,
      model: this.model,
      loss: this.task.loss,
      positions: this.task.positions,
      optimizer: this.spec.optimizer,
    };
  }

  private measuresNoiseAt(step: number, microBatches: number): boolean {
    return microBatches > 1 && this.spec.noise.enabled && step % this.spec.noise.every === 0;
  }

  private async advanceGroup(group: Group, steps: number): Promise<MetricRow[][]> {
    const { budgetSteps, evalEvery, optimizer } = this.spec;
    const cfg = this.stepConfig(group.batchSize);
    const R = group.runs.length;
    const B = group.batchSize;
    const x = new Float32Array(R * B * cfg.inputDim);
    const y = new Float32Array(R * B * cfg.outputDim);
    const startStep = group.runs.map((r) => r.step);
    const startSamples = group.runs.map((r) => r.samples);
    // Each run's last step: the budget, or online on a finite set the end of its single pass (evaluated too).
    const lastStep = group.runs.map((run) => {
      const left = this.onlineSamplesLeft(run);
      return left === null ? budgetSteps : Math.min(budgetSteps, run.step + Math.floor(left / B));
    });
    const lrs: number[][] = [];
    const pending: { loss: tf.Tensor[]; eval: tf.Tensor[]; trainSet: tf.Tensor[]; gradSq: tf.Tensor[]; spread: tf.Tensor[] } = {
      loss: [],
      eval: [],
      trainSet: [],
      gradSq: [],
      spread: [],
    };
    // Per evaluation, the outputs a ladder point would keep; read back only where a run reached a level.
    const evalOutputs: { probe: tf.Tensor; grid: tf.Tensor | null }[] = [];
    const evalAt: number[] = []; // chunk offsets after which the probe set was evaluated
    const noiseAt: number[] = []; // chunk offsets at which noise was measured
    const t0 = performance.now();

    for (let s = 0; s < steps; s++) {
      group.runs.forEach((run, r) => this.source.fill(run.streamKey, startSamples[r] + s * B, B, x, y, r * B));
      const lr = group.runs.map((run, r) => this.lrAt(run.spec, startStep[r] + s));
      lrs.push(lr);
      const measure = this.measuresNoiseAt(startStep[0] + s, group.microBatches);
      const next = trainStep(cfg, group.tensors, {
        x,
        y,
        lr,
        stepNumbers: startStep.map((st) => st + s + 1),
        microBatches: measure ? group.microBatches : 1,
      });
      tf.dispose([...group.tensors.params, ...group.tensors.slots]);
      group.tensors = { params: next.params, slots: next.slots };
      pending.loss.push(next.loss);
      if (next.noise) {
        pending.gradSq.push(next.noise.meanGradSq);
        pending.spread.push(next.noise.spread);
        noiseAt.push(s);
      }
      // Runs in a group may be at different steps; evaluate when any of them reaches an eval point.
      if (startStep.some((st, r) => (st + s + 1) % evalEvery === 0 || st + s + 1 === lastStep[r])) {
        const probe = evaluate(cfg, group.tensors.params, group.probeX, group.probeY, this.ladderKeep);
        pending.eval.push(probe.loss);
        evalOutputs.push({ probe: probe.outputs, grid: group.gridX && tf.tidy(() => this.model.forward(group.tensors.params, group.gridX!)) });
        if (group.trainSetX) pending.trainSet.push(evalLoss(cfg, group.tensors.params, group.trainSetX, group.trainSetY!));
        evalAt.push(s);
      }
    }

    const lists = [pending.loss, pending.eval, pending.trainSet, pending.gradSq, pending.spread];
    const stacks = lists.map((list) => (list.length ? tf.stack(list) : null));
    const [train, evals, trainSet, gradSq, spread] = await Promise.all(stacks.map((t) => (t ? (t.data() as Promise<Float32Array>) : Promise.resolve(new Float32Array()))));
    tf.dispose([...lists.flat(), ...stacks.filter((t): t is tf.Tensor => t !== null)]);
    const elapsed = performance.now() - t0;

    const reached: { run: number; e: number; row: MetricRow; levels: number[] }[] = [];
    const rows = group.runs.map((run, r) => {
      const out: MetricRow[] = [];
      const have = new Set(run.ladder.map((p) => p.level));
      const wallStart = run.wallMs;
      let e = 0;
      let n = 0;
      for (let s = 0; s < steps; s++) {
        const step = startStep[r] + s + 1;
        const lr = lrs[s][r];
        const row: MetricRow = {
          step,
          samples: startSamples[r] + (s + 1) * B,
          trainLoss: train[s * R + r],
          batchSize: B,
          lr,
          temperature: temperature(lr, B, optimizer),
          wallMs: wallStart + (elapsed * (s + 1)) / steps,
        };
        if (noiseAt[n] === s) {
          const estimate = { meanGradSq: gradSq[n * R + r], spread: spread[n * R + r] };
          const trSigma = traceSigma(estimate, B / group.microBatches, group.microBatches);
          run.noise.add(trSigma, trueGradSq(estimate, B, trSigma));
          row.gradNorm = Math.sqrt(estimate.meanGradSq);
          n++;
        }
        const scale = run.noise.noiseScale;
        if (scale !== null) row.noiseScale = scale;
        if (evalAt[e] === s) {
          if (step % evalEvery === 0 || step === lastStep[r]) {
            row.evalLoss = evals[e * R + r];
            if (trainSet.length) row.trainSetLoss = trainSet[e * R + r];
            const levels = newlyReached(this.levels, have, row.evalLoss);
            levels.forEach((level) => have.add(level));
            if (levels.length) reached.push({ run: r, e, row, levels });
          }
          e++;
        }
        out.push(row);
        if (!Number.isFinite(row.trainLoss) || (row.evalLoss !== undefined && !Number.isFinite(row.evalLoss))) {
          run.status = 'diverged';
          run.reason = `loss became ${row.trainLoss} at step ${step}`;
          break;
        }
      }
      const last = out[out.length - 1];
      run.step = last.step;
      run.samples = last.samples;
      run.wallMs = last.wallMs;
      run.trainLoss = last.trainLoss;
      run.noiseScale = run.noise.noiseScale;
      run.batchSize = this.batchAt(run.spec, run.step);
      run.lr = this.lrAt(run.spec, run.step);
      run.temperature = temperature(run.lr, run.batchSize, optimizer);
      const lastEval = out.findLast((row) => row.evalLoss !== undefined);
      if (lastEval) {
        run.evalLoss = lastEval.evalLoss!;
        run.trainSetLoss = lastEval.trainSetLoss ?? null;
      }
      if (run.status === 'running' && run.step >= budgetSteps) run.status = 'done';
      return out;
    });
    await this.recordReached(group, reached, evalOutputs);
    tf.dispose(evalOutputs.flatMap((o) => (o.grid ? [o.probe, o.grid] : [o.probe])));
    return rows;
  }

  /** Records the ladder points reached in a chunk, reading back only the evaluations where some run got to a level. */
  private async recordReached(group: Group, reached: { run: number; e: number; row: MetricRow; levels: number[] }[], evalOutputs: { probe: tf.Tensor; grid: tf.Tensor | null }[]): Promise<void> {
    const read = new Map<number, Promise<{ probe: Float32Array; grid: Float32Array | null }>>();
    for (const { e } of reached) {
      if (read.has(e)) continue;
      const { probe, grid } = evalOutputs[e];
      read.set(e, Promise.all([probe.data() as Promise<Float32Array>, grid ? (grid.data() as Promise<Float32Array>) : null]).then(([p, g]) => ({ probe: p, grid: g })));
    }
    for (const { run: r, e, row, levels } of reached) {
      const { probe, grid } = await read.get(e)!;
      const perRun = probe.length / group.runs.length;
      const outputs = probe.slice(r * perRun, (r + 1) * perRun);
      const gridPerRun = grid && grid.length / group.runs.length;
      const gridOut = grid && gridPerRun ? grid.slice(r * gridPerRun, (r + 1) * gridPerRun) : undefined;
      // Levels reached at the same evaluation share one copy of the outputs.
      this.record(group.runs[r], levels.map((level) => ({ level, step: row.step, samples: row.samples, evalLoss: row.evalLoss!, outputs, ...(gridOut ? { grid: gridOut } : {}) })));
    }
  }

  /** A copy of one run's tensors (parameters, then optimizer slots; each [1, ...]); the caller owns it. */
  private copyRunTensors(run: RunState): tf.Tensor[] {
    if (run.loose) return run.loose.map((t) => tf.clone(t));
    const group = this.groups.find((g) => g.runs.includes(run));
    if (!group && run.step === 0) return this.initialTensors(run); // not started yet: its seeded start
    if (!group) throw new Error(`run ${run.id} holds no state`);
    const r = group.runs.indexOf(run);
    return [...group.tensors.params, ...group.tensors.slots].map((t) => tf.slice(t, [r], [1]));
  }

  /** Splits every group into per-run tensors (run.loose), leaving no groups. */
  private splitGroups(): void {
    for (const group of this.groups) {
      const { params, slots } = group.tensors;
      const all = [...params, ...slots];
      const pieces = all.map((t) => (group.runs.length === 1 ? [t] : tf.split(t, group.runs.length, 0)));
      group.runs.forEach((run, r) => (run.loose = pieces.map((p) => p[r])));
      if (group.runs.length > 1) all.forEach((t) => t.dispose());
      tf.dispose([group.probeX, group.probeY, ...[group.trainSetX, group.trainSetY, group.gridX].filter((t): t is tf.Tensor => t !== null)]);
    }
    this.groups = [];
  }

  /** Rebuilds the groups from the running runs: by batch size (and estimator phase), or one per run. */
  private regroup(): void {
    this.splitGroups();
    this.startForks();
    const byKey = new Map<string, RunState[]>();
    for (const run of this.runs) {
      if (run.status !== 'running') {
        if (run.status !== 'waiting') {
          run.loose?.forEach((t) => t.dispose());
          run.loose = undefined;
        }
        continue;
      }
      run.loose ??= this.initialTensors(run);
      const batch = this.batchAt(run.spec, run.step);
      const phase = this.spec.noise.every > 1 ? run.step % this.spec.noise.every : 0;
      const key = this.options.groupRuns ? `b${batch}p${phase}` : run.id;
      byKey.set(key, [...(byKey.get(key) ?? []), run]);
    }
    const nParams = this.model.paramShapes().length;
    const tileSet = (values: Float32Array, rows: number, width: number, R: number) =>
      tf.tidy(() => tf.tile(tf.tensor3d(values, [1, rows, width]), [R, 1, 1]));
    this.groups = [...byKey.values()].map((runs) => {
      const count = runs[0].loose!.length;
      const stacked = Array.from({ length: count }, (_, i) => (runs.length === 1 ? runs[0].loose![i] : tf.concat(runs.map((r) => r.loose![i]), 0)));
      if (runs.length > 1) runs.forEach((r) => r.loose!.forEach((t) => t.dispose()));
      runs.forEach((r) => (r.loose = undefined));
      const R = runs.length;
      const batchSize = this.batchAt(runs[0].spec, runs[0].step);
      const { inputDim, outputDim } = this.task;
      const ts = this.trainSet;
      return {
        batchSize,
        microBatches: microBatchesFor(batchSize, this.spec.noise.microBatches),
        runs,
        tensors: { params: stacked.slice(0, nParams), slots: stacked.slice(nParams) },
        probeX: tileSet(this.probeX, this.spec.probeSize, inputDim, R),
        probeY: tileSet(this.probeY, this.spec.probeSize, outputDim, R),
        trainSetX: ts ? tileSet(ts.x, ts.size, inputDim, R) : null,
        trainSetY: ts ? tileSet(ts.y, ts.size, outputDim, R) : null,
        gridX: this.grid ? tileSet(this.grid.x, this.grid.size ** 2, 2, R) : null,
      };
    });
    this.needsRegroup = false;
  }

  /** A run's starting tensors: seeded parameters and zeroed optimizer slots, each with a run axis of 1. */
  private initialTensors(run: RunState): tf.Tensor[] {
    const shapes = this.model.paramShapes();
    const params = this.model.initParams(run.spec.seed).map((values, i) => tf.tensor3d(values, [1, ...shapes[i]] as [number, number, number]));
    const k = slotsPerParam(this.spec.optimizer);
    const slots = shapes.flatMap((shape) => Array.from({ length: k }, () => tf.zeros([1, ...shape])));
    return [...params, ...slots];
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
