/**
 * Independent float64 reference implementations used by the tests: an MLP forward pass with a run axis,
 * both losses, and a small seeded generator for test fixtures. Nothing here imports the engine.
 */
export type Act = 'relu' | 'tanh' | 'gelu';
export type Loss = 'mse' | 'xent';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function act64(x: number, activation: Act): number {
  switch (activation) {
    case 'relu':
      return x > 0 ? x : 0;
    case 'tanh':
      return Math.tanh(x);
    case 'gelu':
      return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  }
}

/** erf by its Maclaurin series (|x| ≤ 3) — accurate to ~1e-13 there; used for the exact GELU. */
export function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
    if (Math.abs(term) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** One run's parameters: for each layer, W [fanIn × fanOut] row-major and b [fanOut]. */
export interface Layer64 {
  fanIn: number;
  fanOut: number;
  w: Float64Array;
  b: Float64Array;
}

/** Forward pass of one run on B samples: x is [B × inputDim], returns [B × outputDim]. */
export function forward64(layers: Layer64[], x: ArrayLike<number>, batch: number, activation: Act): Float64Array {
  let h = Float64Array.from(x);
  layers.forEach((layer, l) => {
    const next = new Float64Array(batch * layer.fanOut);
    for (let n = 0; n < batch; n++) {
      for (let j = 0; j < layer.fanOut; j++) {
        let s = layer.b[j];
        for (let i = 0; i < layer.fanIn; i++) s += h[n * layer.fanIn + i] * layer.w[i * layer.fanOut + j];
        next[n * layer.fanOut + j] = l < layers.length - 1 ? act64(s, activation) : s;
      }
    }
    h = next;
  });
  return h;
}

/** Mean loss over the batch for outputs and targets [B × K]. */
export function loss64(kind: Loss, out: ArrayLike<number>, y: ArrayLike<number>, batch: number, k: number): number {
  let total = 0;
  for (let n = 0; n < batch; n++) {
    if (kind === 'mse') {
      for (let c = 0; c < k; c++) total += (out[n * k + c] - y[n * k + c]) ** 2 / k;
    } else {
      let max = -Infinity;
      for (let c = 0; c < k; c++) max = Math.max(max, out[n * k + c]);
      let z = 0;
      for (let c = 0; c < k; c++) z += Math.exp(out[n * k + c] - max);
      const logZ = max + Math.log(z);
      for (let c = 0; c < k; c++) total -= y[n * k + c] * (out[n * k + c] - logZ);
    }
  }
  return total / batch;
}

/** A tiny seeded generator (mulberry32) for fixtures, independent of the engine's rng. */
export function fixtureRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values uniform in [lo, hi), rounded to float32 so float32 and float64 code start from the same numbers. */
export function randomF32(rand: () => number, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
}

/** Largest |a_i − b_i| divided by the largest |b_i| (a scale-free error between two arrays). */
export function relMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expectSameLength(a, b);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? err : err / scale;
}

function expectSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`length ${a.length} ≠ ${b.length}`);
}
