/**
 * A chunk: a group trained for a number of steps without reading anything back, then its losses,
 * evaluations and noise measurements read back at once and turned into each run's metric rows. Evaluation
 * and the loss ladder happen here: a run's outputs on the probe set are read back only at an evaluation where
 * it reached a new ladder level.
 */
import * as tf from './tf';
import type { ExperimentSpec } from '../spec/schema';
import type { Model } from './models/model';
import { noiseFields, temperature, traceSigma, trueGradSq } from './noise';
import { evalLoss, evaluate, trainStep, type StepConfig } from './step';
import { newlyReached, type LadderPoint } from './ladder';
import type { SampleSource } from './stream';
import type { Task } from './tasks';
import type { Group } from './stacking';
import { batchAt, lrAt, onlineSamplesLeft, type MetricRow, type RunState } from './runState';

/** What a chunk reads of the trainer: the experiment, its data and model, and where ladder points go. */
export interface ChunkContext {
  experiment: ExperimentSpec;
  task: Task;
  source: SampleSource;
  model: Model;
  /** The ladder's levels, highest first. */
  levels: number[];
  /** Probe examples whose outputs a ladder point keeps. */
  ladderKeep: number;
  record(run: RunState, points: LadderPoint[]): void;
}

export function stepConfig(task: Task, model: Model, experiment: ExperimentSpec, batchSize: number): StepConfig {
  return {
    batchSize,
    inputDim: task.inputDim,
    outputDim: task.outputDim,
    model,
    loss: task.loss,
    positions: task.positions,
    optimizer: experiment.optimizer,
  };
}

function measuresNoiseAt(experiment: ExperimentSpec, step: number, microBatches: number): boolean {
  return microBatches > 1 && experiment.noise.enabled && step % experiment.noise.every === 0;
}

interface Reached {
  run: number;
  e: number;
  row: MetricRow;
  levels: number[];
}

/** Trains `group` for `steps` steps and returns each run's new metric rows (in the group's order). */
export async function advanceGroup(ctx: ChunkContext, group: Group, steps: number): Promise<MetricRow[][]> {
  const { budgetSteps, evalEvery, optimizer } = ctx.experiment;
  const cfg = stepConfig(ctx.task, ctx.model, ctx.experiment, group.batchSize);
  const R = group.runs.length;
  const B = group.batchSize;
  const x = new Float32Array(R * B * cfg.inputDim);
  const y = new Float32Array(R * B * cfg.outputDim);
  const startStep = group.runs.map((r) => r.step);
  const startSamples = group.runs.map((r) => r.samples);
  // Each run's last step: the budget, or online on a finite set the end of its single pass (evaluated too).
  const lastStep = group.runs.map((run) => {
    const left = onlineSamplesLeft(ctx.task, ctx.experiment, run);
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
    group.runs.forEach((run, r) => ctx.source.fill(run.streamKey, startSamples[r] + s * B, B, x, y, r * B));
    const lr = group.runs.map((run, r) => lrAt(ctx.experiment, run.spec, startStep[r] + s));
    lrs.push(lr);
    const measure = measuresNoiseAt(ctx.experiment, startStep[0] + s, group.microBatches);
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
      const probe = evaluate(cfg, group.tensors.params, group.probeX, group.probeY, ctx.ladderKeep);
      pending.eval.push(probe.loss);
      evalOutputs.push({ probe: probe.outputs, grid: group.gridX && tf.tidy(() => ctx.model.forward(group.tensors.params, group.gridX!)) });
      if (group.trainSetX) pending.trainSet.push(evalLoss(cfg, group.tensors.params, group.trainSetX, group.trainSetY!));
      evalAt.push(s);
    }
  }

  const lists = [pending.loss, pending.eval, pending.trainSet, pending.gradSq, pending.spread];
  const stacks = lists.map((list) => (list.length ? tf.stack(list) : null));
  const [train, evals, trainSet, gradSq, spread] = await Promise.all(stacks.map((t) => (t ? (t.data() as Promise<Float32Array>) : Promise.resolve(new Float32Array()))));
  tf.dispose([...lists.flat(), ...stacks.filter((t): t is tf.Tensor => t !== null)]);
  const elapsed = performance.now() - t0;

  const reached: Reached[] = [];
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
      Object.assign(row, noiseFields(run.noise.estimate));
      if (evalAt[e] === s) {
        if (step % evalEvery === 0 || step === lastStep[r]) {
          row.evalLoss = evals[e * R + r];
          if (trainSet.length) row.trainSetLoss = trainSet[e * R + r];
          const levels = newlyReached(ctx.levels, have, row.evalLoss);
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
    const noise = noiseFields(run.noise.estimate);
    Object.assign(run, { noiseScale: noise.noiseScale ?? null, noiseScaleLow: noise.noiseScaleLow, noiseScaleHigh: noise.noiseScaleHigh, noiseUnresolved: noise.noiseUnresolved === true, noiseEstimating: noise.noiseEstimating === true });
    run.batchSize = batchAt(run.spec, run.step);
    run.lr = lrAt(ctx.experiment, run.spec, run.step);
    run.temperature = temperature(run.lr, run.batchSize, optimizer);
    const lastEval = out.findLast((row) => row.evalLoss !== undefined);
    if (lastEval) {
      run.evalLoss = lastEval.evalLoss!;
      run.trainSetLoss = lastEval.trainSetLoss ?? null;
    }
    if (run.status === 'running' && run.step >= budgetSteps) run.status = 'done';
    return out;
  });
  await recordReached(ctx, group, reached, evalOutputs);
  tf.dispose(evalOutputs.flatMap((o) => (o.grid ? [o.probe, o.grid] : [o.probe])));
  return rows;
}

/** Records the ladder points reached in a chunk, reading back only the evaluations where some run got to a level. */
async function recordReached(ctx: ChunkContext, group: Group, reached: Reached[], evalOutputs: { probe: tf.Tensor; grid: tf.Tensor | null }[]): Promise<void> {
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
    ctx.record(group.runs[r], levels.map((level) => ({ level, step: row.step, samples: row.samples, evalLoss: row.evalLoss!, outputs, ...(gridOut ? { grid: gridOut } : {}) })));
  }
}
