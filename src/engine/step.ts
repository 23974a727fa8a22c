import * as tf from './tf';
import type { OptimizerSpec } from '../spec/schema';
import { perRunLoss } from './loss';
import type { Model } from './models/model';
import { applyUpdate } from './optimizer';
import type { LossKind } from './tasks';

/** The tensors of a group of R runs, each with a leading run axis. */
export interface GroupTensors {
  params: tf.Tensor[];
  slots: tf.Tensor[];
}

export interface StepInputs {
  x: Float32Array; // [R, B, inputDim]
  y: Float32Array; // [R, B, outputDim]
  lr: number[]; // each run's learning rate at this step
  stepNumbers: number[]; // each run's 1-based step count
  /** Split each batch into this many micro-batches to measure gradient noise (1: no measurement). */
  microBatches: number;
}

export interface StepConfig {
  batchSize: number;
  inputDim: number;
  outputDim: number;
  model: Model;
  loss: LossKind;
  /** Predictions per sample (a sequence task's positions; default 1): see perRunLoss. */
  positions?: number;
  optimizer: OptimizerSpec;
}

export interface StepResult extends GroupTensors {
  /** Per-run minibatch loss [R]. */
  loss: tf.Tensor;
  /** With micro-batches: per-run |ḡ|² [R] and Σ_j |m_j − ḡ|² [R] (see noise.ts). */
  noise?: { meanGradSq: tf.Tensor; spread: tf.Tensor };
}

/** Σ over a list of per-run [R] tensors, added pairwise (tf.addN of 8+ inputs breaks WebGPU: PLATFORM.md). */
function sumPerRun(terms: tf.Tensor[]): tf.Tensor {
  return terms.reduce((acc, t) => tf.add(acc, t));
}

/**
 * Each run's mean loss [R] and the gradients of the objective, Σ over micro-batches of their mean loss ÷ k,
 * with respect to `tiled` (parameters with a run axis of R·k: run r's micro-batch j at r·k + j; x and y
 * likewise). Through the model's hand-written backward pass where it has one (autodiff then covers only
 * the loss), else through tfjs's autodiff of its forward pass. Call inside a tidy.
 */
export function stepGradients(cfg: StepConfig, tiled: tf.Tensor[], x: tf.Tensor, y: tf.Tensor, R: number, k: number): { loss: tf.Tensor; grads: tf.Tensor[] } {
  let loss: tf.Tensor | undefined;
  const objective = (outputs: tf.Tensor) => {
    const microLoss = perRunLoss(cfg.loss, outputs, y, cfg.positions); // [R·k]
    // keep(): the gradient's forward scope would otherwise dispose this intermediate.
    loss = tf.keep(tf.mean(tf.reshape(microLoss, [R, k]), 1));
    return tf.div(tf.sum(microLoss), k);
  };
  const { trace } = cfg.model;
  let grads: tf.Tensor[];
  if (trace) {
    const traced = trace(tiled, x);
    grads = traced.backward(tf.grad(objective)(traced.outputs));
  } else {
    grads = tf.grads((...params: tf.Tensor[]) => objective(cfg.model.forward(params, x)))(tiled);
  }
  return { loss: loss!, grads };
}

/**
 * One SGD step for R runs at once. The objective is the *sum* of the runs' mean losses, so the gradient
 * with respect to run r's parameters is exactly run r's own gradient.
 *
 * To measure gradient noise, each run's batch is split into k micro-batches and the parameters are tiled
 * k times along the run axis: one forward and backward pass over [R·k] "runs" then yields every
 * micro-batch's gradient m_j at the matmul cost of the plain step. Their mean ḡ is the minibatch gradient
 * that the update uses; their spread is the noise estimate. With k = 1 this is the plain step.
 */
export function trainStep(cfg: StepConfig, state: GroupTensors, inputs: StepInputs): StepResult {
  const R = inputs.lr.length;
  const k = inputs.microBatches;
  const b = cfg.batchSize / k;
  return tf.tidy(() => {
    const x = tf.tensor3d(inputs.x, [R * k, b, cfg.inputDim]);
    const y = tf.tensor3d(inputs.y, [R * k, b, cfg.outputDim]);
    const tiled = k === 1 ? state.params : state.params.map((p) => tf.reshape(tf.tile(tf.expandDims(p, 1), [1, k, 1, 1]), [R * k, ...p.shape.slice(1)]));
    const { loss, grads } = stepGradients(cfg, tiled, x, y, R, k);
    const lr = tf.tensor3d(inputs.lr, [R, 1, 1]);
    if (k === 1) return { ...applyUpdate(cfg.optimizer, state.params, grads, state.slots, lr, inputs.stepNumbers), loss };
    // grads are (1/k)·m_j per micro-batch; ḡ = mean_j m_j.
    const perMicro = grads.map((g) => tf.reshape(tf.mul(g, k), [R, k, ...g.shape.slice(1)]));
    const meanGrads = perMicro.map((m) => tf.mean(m, 1));
    const next = applyUpdate(cfg.optimizer, state.params, meanGrads, state.slots, lr, inputs.stepNumbers);
    const sumSq = (t: tf.Tensor, axes: number[]) => tf.sum(tf.square(t), axes);
    const meanGradSq = sumPerRun(meanGrads.map((g) => sumSq(g, [1, 2])));
    const spread = sumPerRun(perMicro.map((m, i) => sumSq(tf.sub(m, tf.expandDims(meanGrads[i], 1)), [1, 2, 3])));
    return { ...next, loss, noise: { meanGradSq, spread } };
  });
}

/** Per-run loss [R] on a fixed set of examples already tiled to [R, P, ·]. */
export function evalLoss(cfg: StepConfig, params: tf.Tensor[], probeX: tf.Tensor, probeY: tf.Tensor): tf.Tensor {
  return tf.tidy(() => perRunLoss(cfg.loss, cfg.model.forward(params, probeX), probeY, cfg.positions));
}

/** evalLoss, plus the raw outputs on the first `keep` examples ([R, keep, outputDim]) for the loss ladder. */
export function evaluate(cfg: StepConfig, params: tf.Tensor[], probeX: tf.Tensor, probeY: tf.Tensor, keep: number): { loss: tf.Tensor; outputs: tf.Tensor } {
  return tf.tidy(() => {
    const outputs = cfg.model.forward(params, probeX);
    const [R, , K] = outputs.shape;
    return { loss: perRunLoss(cfg.loss, outputs, probeY, cfg.positions), outputs: tf.slice(outputs, [0, 0, 0], [R, keep, K]) };
  });
}
