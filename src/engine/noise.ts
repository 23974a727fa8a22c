/**
 * The gradient noise scale of McCandlish et al. (2018), from micro-batch gradients (SCIENCE.md).
 * A batch of B split into k micro-batches of size b = B/k, with micro-batch mean gradients m_j and overall
 * mean ḡ, gives unbiased estimates
 *     tr(Σ) ≈ b · Σ_j |m_j − ḡ|² / (k − 1)        |G|² ≈ |ḡ|² − tr(Σ) / B
 * and B_simple ≈ EMA(tr Σ) / EMA(|G|²): numerator and denominator are smoothed separately, because the
 * ratio of two noisy per-step estimates is biased. Each B_simple carries a 95 % interval (NoiseScaleTracker).
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

/**
 * B_simple with its 95 % interval, or why there is none: `unresolved` where the interval of the smoothed
 * |G|² reaches zero (B_simple ≫ B: the estimate is the difference of two nearly equal numbers and means
 * little). `low`/`high` are null while too few measurements lie behind the EMAs to estimate their spread.
 */
export type NoiseScaleEstimate =
  | { resolved: true; scale: number; low: number | null; high: number | null }
  | { resolved: false };

/** z for a two-sided 95 % interval. */
const Z95 = 1.959964;

/**
 * Effective measurements an interval needs: below this the spread of the per-step estimates is itself too
 * uncertain (with 3 the variance estimate has 2 degrees of freedom).
 */
const MIN_EFFECTIVE = 3;

/**
 * Debiased EMAs of tr(Σ) and |G|², kept per run (and copied into a fork), with what their uncertainty needs:
 * EMAs of the squares and the cross product of the per-step estimates and the sum of squared weights.
 *
 * Why this interval (delta method on the EMAs, Fieller for the ratio) and not batch means: each EMA is a
 * *linear* combination Σ wᵢxᵢ of per-step estimates, and those come from disjoint batches of fresh samples
 * (online), so given the parameters they are independent; the variance of the EMA is then exactly
 * s² · Σwᵢ² / (Σwᵢ)², with s² the (weighted) variance of the per-step estimates around their mean — no
 * linearisation is needed for the numerator and denominator themselves. Batch means would need the history cut
 * into blocks long enough to be independent: with an EMA of weight 0.9 (about 19 effective measurements)
 * there is no room for several such blocks, and the drift of training makes the old blocks stale anyway.
 * tr(Σ) and |G|² per step are strongly anti-correlated (|G|² = |ḡ|² − tr Σ/B), so their covariance is kept.
 * For the ratio the delta method's symmetric interval fails exactly where it matters (|G|² only a few
 * standard errors above zero); Fieller's interval — the set of R for which N − R·D is compatible with zero —
 * is its exact counterpart for a ratio of jointly normal estimates, equals it when |G|² is well resolved,
 * and is bounded precisely when the interval of |G|² excludes zero, which is the "resolved" rule here.
 * Drift: within the EMA's memory the true values move; the interval covers the EMA's own target (the
 * weighted mean of the recent true values), not the value at the newest step. Offline the same samples come
 * back every epoch, so the per-step estimates are not independent across epochs and the interval is
 * optimistic there.
 */
export class NoiseScaleTracker {
  private trSigma = 0;
  private gradSq = 0;
  private weightSum = 0;
  private trSigmaSq = 0;
  private gradSqSq = 0;
  private cross = 0;
  private weightSqSum = 0;

  constructor(private readonly smoothing: number) {}

  add(trSigma: number, gradSq: number): void {
    const w = this.smoothing;
    const a = 1 - w;
    this.trSigma = w * this.trSigma + a * trSigma;
    this.gradSq = w * this.gradSq + a * gradSq;
    this.weightSum = w * this.weightSum + a;
    this.trSigmaSq = w * this.trSigmaSq + a * trSigma * trSigma;
    this.gradSqSq = w * this.gradSqSq + a * gradSq * gradSq;
    this.cross = w * this.cross + a * trSigma * gradSq;
    this.weightSqSum = w * w * this.weightSqSum + a * a;
  }

  /** B_simple, or null before any estimate or while the smoothed |G|² is not positive. */
  get noiseScale(): number | null {
    if (this.weightSum === 0 || !(this.gradSq > 0)) return null;
    return this.trSigma / this.gradSq; // both carry the same debiasing factor, which cancels
  }

  /** B_simple with its interval (see the class comment), or null before any estimate. */
  get estimate(): NoiseScaleEstimate | null {
    if (this.weightSum === 0) return null;
    const W = this.weightSum;
    const n = this.trSigma / W;
    const d = this.gradSq / W;
    const nEff = this.weightSqSum > 0 ? (W * W) / this.weightSqSum : 0;
    if (!(nEff >= MIN_EFFECTIVE)) return d > 0 ? { resolved: true, scale: n / d, low: null, high: null } : { resolved: false };
    // Weighted (co)variances of the per-step estimates, with the effective-n correction for their mean.
    const bessel = nEff / (nEff - 1);
    const vn = (Math.max(0, this.trSigmaSq / W - n * n) * bessel) / nEff;
    const vd = (Math.max(0, this.gradSqSq / W - d * d) * bessel) / nEff;
    const c = ((this.cross / W - n * d) * bessel) / nEff;
    return fieller(n, d, vn, vd, c, Z95);
  }

  clone(): NoiseScaleTracker {
    return Object.assign(new NoiseScaleTracker(this.smoothing), this);
  }
}

/**
 * Fieller's interval for N/D from estimates N, D with variances vn, vd and covariance c: the R with
 * (N − R·D)² ≤ z²·Var(N − R·D). Unresolved unless D is more than z standard errors above zero.
 */
export function fieller(n: number, d: number, vn: number, vd: number, c: number, z = Z95): NoiseScaleEstimate {
  const z2 = z * z;
  const a = d * d - z2 * vd;
  if (!(d > 0) || !(a > 0)) return { resolved: false };
  const b = n * d - z2 * c;
  const disc = Math.max(0, b * b - a * (n * n - z2 * vn));
  const root = Math.sqrt(disc);
  // B_simple is a ratio of a variance to a squared norm: never below zero.
  return { resolved: true, scale: n / d, low: Math.max(0, (b - root) / a), high: (b + root) / a };
}

/** The SGD temperature η/B; with heavy-ball momentum β the effective step is η/(1 − β), so η/(B(1 − β)). */
export function temperature(lr: number, batchSize: number, optimizer: OptimizerSpec): number {
  return optimizer.kind === 'momentum' ? lr / (batchSize * (1 - optimizer.momentum)) : lr / batchSize;
}

/** What a metric row or a run's progress says of B_simple (trainer.ts): the fields present are the ones that hold. */
export interface NoiseFields {
  noiseScale?: number;
  noiseScaleLow?: number;
  noiseScaleHigh?: number;
  noiseUnresolved?: true;
  /** Measured, but too few measurements for an interval yet: B_simple is still being estimated. */
  noiseEstimating?: true;
}

/**
 * The fields of `estimate` for a metric row: B_simple and its interval, the mark "not resolved", or, before
 * the interval exists, the mark "estimating" and no value: B_simple is never reported without its uncertainty.
 */
export function noiseFields(estimate: NoiseScaleEstimate | null): NoiseFields {
  if (estimate === null) return {};
  if (!estimate.resolved) return { noiseUnresolved: true };
  if (estimate.low === null || estimate.high === null) return { noiseEstimating: true };
  return { noiseScale: estimate.scale, noiseScaleLow: estimate.low, noiseScaleHigh: estimate.high };
}
