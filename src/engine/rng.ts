/**
 * Counter-based random numbers. Every random quantity in the lab is a pure function of integer keys
 * (a seed, a stream domain, a sample index), never of how many numbers were drawn before it. That is what
 * makes streams "common random numbers": sample i of a stream is the same whatever the batch size that
 * asks for it, on any backend, in any process.
 */

/** A 32-bit integer finaliser (the "lowbias32" mixer): every input bit affects every output bit. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashes any number of non-negative integers (each below 2^53) into one 32-bit key. XOR with a constant
 * and mix32 are both bijections, so for fixed leading keys the last key (below 2^32) maps one-to-one onto
 * hashes: the samples of one stream never repeat by collision.
 */
export function hashKeys(...keys: number[]): number {
  let h = 0x811c9dc5;
  for (const k of keys) {
    // Feed the low and the high 32 bits, so indices past 2^32 stay distinct.
    h = mix32(h ^ (k >>> 0));
    h = mix32(h ^ Math.floor(k / 0x100000000));
  }
  return h;
}

/** Domains keep the streams of one seed apart: training data, probe set, teacher, initialisation. */
export const Domain = { train: 1, probe: 2, teacher: 3, init: 4, selfTest: 5, trainSet: 6 } as const;

/**
 * A small sequential generator (splitmix32) used *within* one keyed item, e.g. the d coordinates of
 * sample i. Seed it with hashKeys(...) so the item stays a pure function of its keys.
 */
export class Rng {
  private state: number;
  private spareGaussian: number | null = null;

  constructor(key: number) {
    this.state = key >>> 0;
  }

  nextUint32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return mix32(this.state);
  }

  /** Uniform on (0, 1): never exactly 0, so it is safe under log. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 0x100000000;
  }

  /** Standard normal by Box–Muller; the second value of each pair is kept for the next call. */
  gaussian(): number {
    if (this.spareGaussian !== null) {
      const g = this.spareGaussian;
      this.spareGaussian = null;
      return g;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spareGaussian = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Draws an index from a discrete distribution given by non-negative weights summing to 1. */
  categorical(probs: ArrayLike<number>): number {
    const u = this.uniform();
    let acc = 0;
    for (let k = 0; k < probs.length; k++) {
      acc += probs[k];
      if (u < acc) return k;
    }
    return probs.length - 1;
  }
}

/** A seeded Fisher–Yates shuffle of 0..n−1. */
export function permutation(n: number, key: number): Uint32Array {
  const perm = Uint32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(key);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}
