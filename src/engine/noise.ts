/**
 * The gradient noise scale of McCandlish et al. (2018), from micro-batch gradients (SCIENCE.md).
 * A batch of B split into k micro-batches of size b = B/k, with micro-batch mean gradients m_j and overall
 * mean ḡ, gives unbiased estimates
 *     tr(Σ) ≈ b · Σ_j |m_j − ḡ|² / (k − 1)        |G|² ≈ |ḡ|² − tr(Σ) / B
 * and B_simple ≈ EMA(tr Σ) / EMA(|G|²): numerator and denominator are smoothed separately, because the
 * ratio of two noisy per-step estimates is biased.
 */
import type { OptimizerSpec } from '../spec/schema';

/** One step's raw estimates for one run. */
export interface NoiseEstimate {
  /** |ḡ|², the squared norm of the minibatch gradient. */
  meanGradSq: number;
  /** Σ_j |m_j − ḡ|² over the k micro-batches. */
  spread: number;
}

export function traceSigma(e: NoiseEstimate, microBatchSize: number, microBatches: number): number {
  return (microBatchSize * e.spread) / (microBatches - 1);
}

export function trueGradSq(e: NoiseEstimate, batchSize: number, trSigma: number): number {
  return e.meanGradSq - trSigma / batchSize;
}

/** Debiased EMAs of tr(Σ) and |G|², kept per run (and copied into a fork). */
export class NoiseScaleTracker {
  private trSigma = 0;
  private gradSq = 0;
  private weightSum = 0;

  constructor(private readonly smoothing: number) {}

  add(trSigma: number, gradSq: number): void {
    const w = this.smoothing;
    this.trSigma = w * this.trSigma + (1 - w) * trSigma;
    this.gradSq = w * this.gradSq + (1 - w) * gradSq;
    this.weightSum = w * this.weightSum + (1 - w);
  }

  /** B_simple, or null before any estimate or while the smoothed |G|² is not positive. */
  get noiseScale(): number | null {
    if (this.weightSum === 0 || !(this.gradSq > 0)) return null;
    return this.trSigma / this.gradSq; // both carry the same debiasing factor, which cancels
  }

  clone(): NoiseScaleTracker {
    return Object.assign(new NoiseScaleTracker(this.smoothing), this);
  }
}

/** The SGD temperature η/B; with heavy-ball momentum β the effective step is η/(1 − β), so η/(B(1 − β)). */
export function temperature(lr: number, batchSize: number, optimizer: OptimizerSpec): number {
  return optimizer.kind === 'momentum' ? lr / (batchSize * (1 - optimizer.momentum)) : lr / batchSize;
}
