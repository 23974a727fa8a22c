/**
 * Shared pieces of the sequence (language) tasks. A sample is a window of T + 1 tokens: x holds the first T
 * token ids as floats (inputDim = T), y the one-hot of the T next tokens, flattened (outputDim = T·V), so
 * position t of a window predicts token t + 1 from tokens 0..t.
 */
import { hashKeys, mix32 } from '../rng';

/** Writes one window (tokens[0..T]) as row `row` of x ([·, T]) and y ([·, T·V]). */
export function writeWindow(tokens: ArrayLike<number>, from: number, T: number, V: number, x: Float32Array, y: Float32Array, row: number): void {
  const yRow = y.subarray(row * T * V, (row + 1) * T * V);
  yRow.fill(0);
  for (let t = 0; t < T; t++) {
    x[row * T + t] = tokens[from + t];
    yRow[t * V + tokens[from + t + 1]] = 1;
  }
}

/**
 * A keyed pseudo-random permutation of 0..n−1 evaluated one index at a time, with no table: a 4-round
 * Feistel network on the smallest even number of bits that covers n, cycle-walked back into range. Distinct
 * inputs give distinct outputs, so a stream built on it visits every item once before any repeats.
 */
export class IndexPermutation {
  private readonly half: number;
  private readonly mask: number;
  private readonly roundKeys: number[];

  constructor(
    readonly n: number,
    key: number,
  ) {
    if (!(n >= 1 && n <= 2 ** 31)) throw new Error(`IndexPermutation: n = ${n} is out of range`);
    let bits = Math.max(2, Math.ceil(Math.log2(n)));
    if (bits % 2) bits++;
    this.half = bits / 2;
    this.mask = 2 ** this.half - 1;
    this.roundKeys = [0, 1, 2, 3].map((r) => hashKeys(key, r));
  }

  private round(v: number): number {
    let left = Math.floor(v / 2 ** this.half);
    let right = v & this.mask;
    for (const k of this.roundKeys) {
      const next = (left ^ mix32((right ^ k) >>> 0)) & this.mask;
      left = right;
      right = next;
    }
    return left * 2 ** this.half + right;
  }

  at(i: number): number {
    if (!(i >= 0 && i < this.n)) throw new Error(`IndexPermutation: index ${i} is outside 0..${this.n - 1}`);
    let v = this.round(i);
    while (v >= this.n) v = this.round(v);
    return v;
  }
}
