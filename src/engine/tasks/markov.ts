/**
 * A synthetic language whose entropy is known exactly: a random Markov source of order 1 or 2 over a small
 * alphabet. Each context (the last `order` letters) has its own next-letter distribution, drawn once from a
 * symmetric Dirichlet(α) seeded by the data seed (small α: peaked rows, a predictable language). The stream
 * is infinite: sample i is a window of T + 1 letters whose first `order` letters are drawn from the chain's
 * stationary distribution by a generator keyed on (stream key, i), so every window is a stationary stretch
 * of the same source and a pure function of its keys.
 */
import { Domain, Rng, hashKeys } from '../rng';
import type { Task } from './task';
import { writeWindow } from './sequence';

export interface MarkovConfig {
  /** Letters in the alphabet (V). */
  alphabet: number;
  order: 1 | 2;
  /** Dirichlet concentration α of each row of the transition matrix. */
  concentration: number;
  /** Window length T (positions predicted per sample). */
  context: number;
}

/** The letters a..z then A..Z, then digits: the alphabet's characters, for showing samples as text. */
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const MAX_ALPHABET = LETTERS.length;

/** Gamma(shape, 1) by Marsaglia–Tsang (with the U^(1/α) boost below shape 1). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = rng.gaussian();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = rng.uniform();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

function entropy(p: ArrayLike<number>, from = 0, count = p.length): number {
  let h = 0;
  for (let k = from; k < from + count; k++) if (p[k] > 0) h -= p[k] * Math.log(p[k]);
  return h;
}

export class MarkovTask implements Task {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly loss = 'xent' as const;
  readonly positions: number;
  readonly vocabulary: string;
  /** Contexts (V^order) × next letter: row s is P(next | context s), context s = Σ letters · V^k, oldest first. */
  readonly transitions: Float64Array;
  /** Stationary distribution over contexts. */
  readonly stationary: Float64Array;
  /** Entropy rate H = Σ_s π_s H(P_s) in nats per letter. */
  readonly entropyRate: number;
  private readonly states: number;
  private readonly stationaryCdf: Float64Array;
  private readonly window: Uint8Array;

  constructor(
    private readonly cfg: MarkovConfig,
    dataSeed: number,
  ) {
    const V = cfg.alphabet;
    if (V < 2 || V > MAX_ALPHABET) throw new Error(`The Markov alphabet must have 2–${MAX_ALPHABET} letters`);
    this.inputDim = cfg.context;
    this.positions = cfg.context;
    this.outputDim = cfg.context * V;
    this.vocabulary = LETTERS.slice(0, V);
    this.states = V ** cfg.order;
    this.transitions = new Float64Array(this.states * V);
    const rng = new Rng(hashKeys(dataSeed, Domain.teacher, 0x6d61726b)); // 'mark'
    for (let s = 0; s < this.states; s++) {
      let sum = 0;
      for (let k = 0; k < V; k++) sum += this.transitions[s * V + k] = gamma(rng, cfg.concentration);
      for (let k = 0; k < V; k++) this.transitions[s * V + k] /= sum;
    }
    this.stationary = this.computeStationary();
    this.stationaryCdf = new Float64Array(this.states);
    let acc = 0;
    for (let s = 0; s < this.states; s++) this.stationaryCdf[s] = acc += this.stationary[s];
    let rate = 0;
    for (let s = 0; s < this.states; s++) rate += this.stationary[s] * entropy(this.transitions, s * V, V);
    this.entropyRate = rate;
    this.window = new Uint8Array(cfg.context + 1);
  }

  /** The context after `s` emits `next`: drop the oldest letter, append the new one. */
  private nextState(s: number, next: number): number {
    const V = this.cfg.alphabet;
    return this.cfg.order === 1 ? next : (s % V) * V + next;
  }

  /** Power iteration π ← πP on the contexts (every row is strictly positive, so the chain is ergodic). */
  private computeStationary(): Float64Array {
    const S = this.states;
    const V = this.cfg.alphabet;
    let pi = new Float64Array(S).fill(1 / S);
    for (let iter = 0; iter < 100_000; iter++) {
      const next = new Float64Array(S);
      for (let s = 0; s < S; s++) {
        if (pi[s] === 0) continue;
        for (let k = 0; k < V; k++) next[this.nextState(s, k)] += pi[s] * this.transitions[s * V + k];
      }
      let diff = 0;
      let sum = 0;
      for (let s = 0; s < S; s++) sum += next[s];
      for (let s = 0; s < S; s++) {
        next[s] /= sum;
        diff += Math.abs(next[s] - pi[s]);
      }
      pi = next;
      if (diff < 1e-14) break;
    }
    return pi;
  }

  /** A stationary context: its letters, oldest first, written into window[0..order). */
  private drawStart(rng: Rng): void {
    const u = rng.uniform();
    let lo = 0;
    let hi = this.states - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.stationaryCdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    const V = this.cfg.alphabet;
    if (this.cfg.order === 1) this.window[0] = lo;
    else {
      this.window[0] = Math.floor(lo / V);
      this.window[1] = lo % V;
    }
  }

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const { context: T, alphabet: V, order } = this.cfg;
    const w = this.window;
    for (let n = 0; n < count; n++) {
      const rng = new Rng(hashKeys(streamKey, start + n));
      this.drawStart(rng);
      let s = order === 1 ? w[0] : w[0] * V + w[1];
      for (let t = order; t <= T; t++) {
        const next = rng.categorical(this.transitions.subarray(s * V, (s + 1) * V));
        w[t] = next;
        s = this.nextState(s, next);
      }
      writeWindow(w, 0, T, V, x, y, offset + n);
    }
  }

  /**
   * The expected loss of the true source, per position: the entropy rate wherever the whole context is in
   * the window. An order-2 source's first position sees one letter only, so it costs H(X₁ | X₀) instead.
   */
  bayesLoss(): number {
    const T = this.cfg.context;
    if (this.cfg.order === 1) return this.entropyRate;
    const V = this.cfg.alphabet;
    const first = new Float64Array(V);
    for (let s = 0; s < this.states; s++) first[Math.floor(s / V)] += this.stationary[s];
    const firstStep = entropy(this.stationary) - entropy(first); // H(X₀, X₁) − H(X₀)
    return (firstStep + (T - 1) * this.entropyRate) / T;
  }
}
