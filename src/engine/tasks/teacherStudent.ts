import { Domain, Rng, hashKeys } from '../rng';
import { softmaxInto, type Task } from './task';

export interface TeacherStudentConfig {
  output: 'classification' | 'regression';
  inputDim: number;
  teacherWidth: number;
  classes: number;
  teacherScale: number;
  labelNoise: number;
}

/**
 * Inputs x ~ N(0, I_d); labels from a fixed random one-hidden-layer tanh teacher. Classification labels are
 * *sampled* from softmax(scale · teacher(x)), so the Bayes loss is the teacher's mean entropy; regression
 * targets are scale · teacher(x) + N(0, σ²), so the Bayes MSE is σ².
 */
export class TeacherStudentTask implements Task {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly loss;
  private readonly w1: Float64Array; // [d, h]
  private readonly w2: Float64Array; // [h, out]
  private readonly hidden: Float64Array;
  private readonly logits: Float64Array;
  private readonly probs: Float64Array;

  constructor(
    private readonly cfg: TeacherStudentConfig,
    dataSeed: number,
  ) {
    this.inputDim = cfg.inputDim;
    this.outputDim = cfg.output === 'classification' ? cfg.classes : 1;
    this.loss = cfg.output === 'classification' ? ('xent' as const) : ('mse' as const);
    const rng = new Rng(hashKeys(dataSeed, Domain.teacher));
    const h = cfg.teacherWidth;
    this.w1 = Float64Array.from({ length: cfg.inputDim * h }, () => rng.gaussian() / Math.sqrt(cfg.inputDim));
    this.w2 = Float64Array.from({ length: h * this.outputDim }, () => rng.gaussian() / Math.sqrt(h));
    this.hidden = new Float64Array(h);
    this.logits = new Float64Array(this.outputDim);
    this.probs = new Float64Array(this.outputDim);
  }

  /** teacher(x) · scale into this.logits. */
  private teacher(x: Float32Array, row: number): Float64Array {
    const { inputDim: d, teacherWidth: h, teacherScale } = this.cfg;
    for (let j = 0; j < h; j++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += x[row * d + i] * this.w1[i * h + j];
      this.hidden[j] = Math.tanh(s);
    }
    for (let k = 0; k < this.outputDim; k++) {
      let s = 0;
      for (let j = 0; j < h; j++) s += this.hidden[j] * this.w2[j * this.outputDim + k];
      this.logits[k] = teacherScale * s;
    }
    return this.logits;
  }

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const d = this.inputDim;
    const out = this.outputDim;
    for (let n = 0; n < count; n++) {
      const row = offset + n;
      const rng = new Rng(hashKeys(streamKey, start + n));
      for (let i = 0; i < d; i++) x[row * d + i] = rng.gaussian();
      const logits = this.teacher(x, row);
      if (this.loss === 'xent') {
        softmaxInto(logits, this.probs);
        const label = rng.categorical(this.probs);
        for (let k = 0; k < out; k++) y[row * out + k] = k === label ? 1 : 0;
      } else {
        y[row] = logits[0] + this.cfg.labelNoise * rng.gaussian();
      }
    }
  }

  bayesLoss(probeX: Float32Array, count: number): number {
    if (this.loss === 'mse') return this.cfg.labelNoise ** 2;
    let entropy = 0;
    for (let n = 0; n < count; n++) {
      softmaxInto(this.teacher(probeX, n), this.probs);
      for (const p of this.probs) if (p > 0) entropy -= p * Math.log(p);
    }
    return entropy / count;
  }
}
