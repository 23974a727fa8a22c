/**
 * The trainer advances every run of an experiment in lockstep (one step per run per tick) and reports
 * metric rows. Runs that share a batch size may train as one group along the run axis; whether they do is
 * the caller's choice (`groupRuns`), because stacking pays on a GPU and can cost on wasm (PLATFORM.md).
 * Each run's numbers depend only on the experiment and its own run spec, never on its neighbours.
 */
import * as tf from './tf';
import type { ExperimentSpec, RunSpec } from '../spec/schema';
import { initParams, paramShapes, type MlpShape } from './mlp';
import { slotsPerParam } from './optimizer';
import { Domain, hashKeys } from './rng';
import { lrFactor } from './schedule';
import { evalLoss, trainStep, type GroupTensors, type StepConfig } from './step';
import { createTask, type Task } from './tasks';

export type RunStatus = 'running' | 'done' | 'diverged';

export interface MetricRow {
  step: number;
  samples: number;
  trainLoss: number;
  /** Held-out loss on the probe set, only on the steps where it was evaluated. */
  evalLoss?: number;
  /** Learning rate used at this step. */
  lr: number;
  /** Time spent computing this run's steps so far (its group's compute time), in ms. */
  wallMs: number;
}

export interface RunProgress {
  id: string;
  status: RunStatus;
  step: number;
  samples: number;
  wallMs: number;
  trainLoss: number | null;
  evalLoss: number | null;
  /** Why the run stopped, when it did not simply finish its budget. */
  reason?: string;
}

interface RunState extends RunProgress {
  spec: RunSpec;
  streamKey: number;
  /** Tensors of this run alone ([1, ...]), held only between a regroup's split and its merge. */
  loose?: tf.Tensor[];
}

interface Group {
  batchSize: number;
  runs: RunState[];
  tensors: GroupTensors;
  probeX: tf.Tensor;
  probeY: tf.Tensor;
}

export interface TrainerOptions {
  /** Train runs that share a batch size as one computation along the run axis. */
  groupRuns: boolean;
}

/** Everything that, when changed, restarts every run (the runs list excepted). */
function sharedPart(spec: ExperimentSpec): string {
  const { runs: _runs, ...rest } = spec;
  return JSON.stringify(rest);
}

function sameRun(a: RunSpec, b: RunSpec): boolean {
  return a.batchSize === b.batchSize && a.learningRate === b.learningRate && a.seed === b.seed;
}

export class Trainer {
  private spec!: ExperimentSpec;
  private task!: Task;
  private shape!: MlpShape;
  private stepConfigs = new Map<number, StepConfig>();
  private probeX!: Float32Array;
  private probeY!: Float32Array;
  private runs: RunState[] = [];
  private groups: Group[] = [];
  private needsRegroup = true;
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
    this.task = createTask(spec.task, spec.dataSeed);
    this.shape = {
      inputDim: this.task.inputDim,
      outputDim: this.task.outputDim,
      width: spec.model.width,
      depth: spec.model.depth,
      activation: spec.model.activation,
    };
    this.stepConfigs.clear();
    const p = spec.probeSize;
    this.probeX = new Float32Array(p * this.task.inputDim);
    this.probeY = new Float32Array(p * this.task.outputDim);
    this.task.fill(hashKeys(spec.dataSeed, Domain.probe), 0, p, this.probeX, this.probeY);
    this.lossFloor = this.task.bayesLoss(this.probeX, p);
    this.runs = spec.runs.map((r) => this.freshRun(r));
    this.needsRegroup = true;
  }

  private freshRun(spec: RunSpec): RunState {
    return {
      id: spec.id,
      spec,
      streamKey: hashKeys(this.spec.dataSeed, Domain.train, spec.seed),
      status: 'running',
      step: 0,
      samples: 0,
      wallMs: 0,
      trainLoss: null,
      evalLoss: null,
    };
  }

  get experiment(): ExperimentSpec {
    return this.spec;
  }

  progress(): RunProgress[] {
    return this.runs.map(({ id, status, step, samples, wallMs, trainLoss, evalLoss, reason }) => ({
      id,
      status,
      step,
      samples,
      wallMs,
      trainLoss,
      evalLoss,
      ...(reason ? { reason } : {}),
    }));
  }

  get active(): boolean {
    return this.runs.some((r) => r.status === 'running');
  }

  /**
   * Adopts an edited experiment. A change to anything but the runs restarts every run; otherwise runs whose
   * batch size, learning rate and seed are unchanged keep training, edited and new runs start from step 0,
   * and removed runs are dropped. Returns the ids of the runs that (re)started.
   */
  update(spec: ExperimentSpec): string[] {
    if (sharedPart(spec) !== sharedPart(this.spec)) {
      this.disposeState();
      this.load(spec);
      return spec.runs.map((r) => r.id);
    }
    this.splitGroups();
    const old = new Map(this.runs.map((r) => [r.id, r]));
    const restarted: string[] = [];
    this.spec = spec;
    this.runs = spec.runs.map((runSpec) => {
      const prev = old.get(runSpec.id);
      old.delete(runSpec.id);
      if (prev && sameRun(prev.spec, runSpec)) return { ...prev, spec: runSpec };
      prev?.loose?.forEach((t) => t.dispose());
      restarted.push(runSpec.id);
      return this.freshRun(runSpec);
    });
    for (const gone of old.values()) gone.loose?.forEach((t) => t.dispose());
    this.needsRegroup = true;
    return restarted;
  }

  /** Restarts every run from step 0 with the same experiment. */
  reset(): void {
    this.disposeState();
    this.runs = this.spec.runs.map((r) => this.freshRun(r));
    this.needsRegroup = true;
  }

  /**
   * Advances every running run by up to `maxSteps` steps (fewer where its budget ends sooner) and returns
   * the new metric rows per run id. Losses are read back once per group per call, not once per step.
   */
  async advance(maxSteps: number): Promise<Map<string, MetricRow[]>> {
    if (this.needsRegroup) this.regroup();
    const rows = new Map<string, MetricRow[]>();
    let statusChanged = false;
    for (const group of this.groups) {
      const remaining = Math.min(...group.runs.map((r) => this.spec.budgetSteps - r.step));
      const steps = Math.min(maxSteps, remaining);
      if (steps <= 0) continue;
      const groupRows = await this.advanceGroup(group, steps);
      group.runs.forEach((run, i) => {
        rows.set(run.id, groupRows[i]);
        if (run.status !== 'running') statusChanged = true;
      });
    }
    if (statusChanged) this.needsRegroup = true;
    return rows;
  }

  private stepConfig(batchSize: number): StepConfig {
    let cfg = this.stepConfigs.get(batchSize);
    if (!cfg) {
      cfg = {
        batchSize,
        inputDim: this.task.inputDim,
        outputDim: this.task.outputDim,
        activation: this.spec.model.activation,
        loss: this.task.loss,
        optimizer: this.spec.optimizer,
      };
      this.stepConfigs.set(batchSize, cfg);
    }
    return cfg;
  }

  private async advanceGroup(group: Group, steps: number): Promise<MetricRow[][]> {
    const { budgetSteps, evalEvery, lrSchedule } = this.spec;
    const cfg = this.stepConfig(group.batchSize);
    const R = group.runs.length;
    const B = group.batchSize;
    const x = new Float32Array(R * B * cfg.inputDim);
    const y = new Float32Array(R * B * cfg.outputDim);
    const startStep = group.runs.map((r) => r.step);
    const lrs: number[][] = [];
    const trainLosses: tf.Tensor[] = [];
    const evalLosses: tf.Tensor[] = [];
    const evalAt: number[] = []; // offsets within this chunk (0-based) after which eval ran
    const t0 = performance.now();

    for (let s = 0; s < steps; s++) {
      group.runs.forEach((run, r) => {
        const step = startStep[r] + s;
        this.task.fill(run.streamKey, step * B, B, x, y, r * B);
      });
      const lr = group.runs.map((run, r) => run.spec.learningRate * lrFactor(lrSchedule, startStep[r] + s, budgetSteps));
      lrs.push(lr);
      const next = trainStep(cfg, group.tensors, {
        x,
        y,
        lr,
        stepNumbers: startStep.map((st) => st + s + 1),
      });
      tf.dispose([...group.tensors.params, ...group.tensors.slots]);
      group.tensors = { params: next.params, slots: next.slots };
      trainLosses.push(next.loss);
      // Runs in a group may be at different steps; evaluate when any of them reaches an eval point.
      if (startStep.some((st) => (st + s + 1) % evalEvery === 0 || st + s + 1 === budgetSteps)) {
        evalLosses.push(evalLoss(cfg, group.tensors.params, group.probeX, group.probeY));
        evalAt.push(s);
      }
    }

    const trainStack = tf.stack(trainLosses);
    const evalStack = evalLosses.length ? tf.stack(evalLosses) : null;
    const [train, evals] = await Promise.all([trainStack.data(), evalStack ? evalStack.data() : Promise.resolve(new Float32Array())]);
    tf.dispose([...trainLosses, ...evalLosses, trainStack, ...(evalStack ? [evalStack] : [])]);
    const elapsed = performance.now() - t0;

    return group.runs.map((run, r) => {
      const out: MetricRow[] = [];
      const wallStart = run.wallMs;
      let e = 0;
      for (let s = 0; s < steps; s++) {
        const step = startStep[r] + s + 1;
        const row: MetricRow = {
          step,
          samples: step * B,
          trainLoss: train[s * R + r],
          lr: lrs[s][r],
          wallMs: wallStart + (elapsed * (s + 1)) / steps,
        };
        if (evalAt[e] === s) {
          if (step % evalEvery === 0 || step === budgetSteps) row.evalLoss = evals[e * R + r];
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
      const lastEval = out.findLast((row) => row.evalLoss !== undefined);
      if (lastEval) run.evalLoss = lastEval.evalLoss!;
      if (run.status === 'running' && run.step >= budgetSteps) run.status = 'done';
      return out;
    });
  }

  /** Splits every group into per-run tensors (run.loose), leaving no groups. */
  private splitGroups(): void {
    for (const group of this.groups) {
      const { params, slots } = group.tensors;
      const all = [...params, ...slots];
      const pieces = all.map((t) => (group.runs.length === 1 ? [t] : tf.split(t, group.runs.length, 0)));
      group.runs.forEach((run, r) => (run.loose = pieces.map((p) => p[r])));
      if (group.runs.length > 1) all.forEach((t) => t.dispose());
      group.probeX.dispose();
      group.probeY.dispose();
    }
    this.groups = [];
  }

  /** Rebuilds the groups from the running runs: one per batch size, or one per run. */
  private regroup(): void {
    this.splitGroups();
    const byKey = new Map<string, RunState[]>();
    for (const run of this.runs) {
      if (run.status !== 'running') {
        run.loose?.forEach((t) => t.dispose());
        run.loose = undefined;
        continue;
      }
      run.loose ??= this.initialTensors(run);
      const key = this.options.groupRuns ? `b${run.spec.batchSize}` : run.id;
      byKey.set(key, [...(byKey.get(key) ?? []), run]);
    }
    const nParams = paramShapes(this.shape).length;
    const P = this.spec.probeSize;
    this.groups = [...byKey.values()].map((runs) => {
      const count = runs[0].loose!.length;
      const stacked = Array.from({ length: count }, (_, i) =>
        runs.length === 1 ? runs[0].loose![i] : tf.concat(runs.map((r) => r.loose![i]), 0),
      );
      if (runs.length > 1) runs.forEach((r) => r.loose!.forEach((t) => t.dispose()));
      runs.forEach((r) => (r.loose = undefined));
      const R = runs.length;
      return {
        batchSize: runs[0].spec.batchSize,
        runs,
        tensors: { params: stacked.slice(0, nParams), slots: stacked.slice(nParams) },
        probeX: tf.tidy(() => tf.tile(tf.tensor3d(this.probeX, [1, P, this.task.inputDim]), [R, 1, 1])),
        probeY: tf.tidy(() => tf.tile(tf.tensor3d(this.probeY, [1, P, this.task.outputDim]), [R, 1, 1])),
      };
    });
    this.needsRegroup = false;
  }

  /** A run's starting tensors: seeded parameters and zeroed optimizer slots, each with a run axis of 1. */
  private initialTensors(run: RunState): tf.Tensor[] {
    const shapes = paramShapes(this.shape);
    const params = initParams(this.shape, run.spec.seed).map((values, i) => tf.tensor3d(values, [1, ...shapes[i]] as [number, number, number]));
    const k = slotsPerParam(this.spec.optimizer);
    const slots = shapes.flatMap((shape) => Array.from({ length: k }, () => tf.zeros([1, ...shape])));
    return [...params, ...slots];
  }

  /** Reads one run's current parameters (for tests and export). */
  async runParams(id: string): Promise<Float32Array[]> {
    if (this.needsRegroup) this.regroup();
    for (const group of this.groups) {
      const r = group.runs.findIndex((run) => run.id === id);
      if (r < 0) continue;
      const nParams = group.tensors.params.length;
      const slices = group.tensors.params.slice(0, nParams).map((t) => tf.tidy(() => tf.gather(t, [r], 0)));
      const values = await Promise.all(slices.map((t) => t.data() as Promise<Float32Array>));
      slices.forEach((t) => t.dispose());
      return values;
    }
    throw new Error(`run ${id} is not training`);
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
}
