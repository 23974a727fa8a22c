/**
 * A task over a finite labelled set (a shipped image set, an uploaded table), split once into a training
 * pool and held-out examples. Each training stream is the pool in its own fixed order (a permutation keyed
 * by the stream key), so sample i is still a pure function of (stream key, i) and runs with equal seeds see
 * equal samples; the stream ends after one pass (`streamSize`). The probe stream (the trainer's key
 * hashKeys(dataSeed, Domain.probe)) draws from the held-out examples instead, so the held-out loss is
 * measured on data no run ever trains on.
 */
import { Domain, hashKeys, permutation } from '../rng';
import type { LossKind, Task } from './task';

export abstract class FiniteSetTask implements Task {
  abstract readonly inputDim: number;
  abstract readonly outputDim: number;
  abstract readonly loss: LossKind;
  /** Training examples: the length of every training stream. */
  readonly streamSize: number;
  private readonly probeKey: number;
  private readonly orders = new Map<number, Uint32Array>();

  constructor(
    trainCount: number,
    /** Held-out examples, stored after the training ones. */
    readonly heldOutCount: number,
    dataSeed: number,
    /** How errors name the set and its examples, e.g. ["MNIST", "digits"]. */
    private readonly naming: { set: string; examples: string },
  ) {
    this.streamSize = trainCount;
    this.probeKey = hashKeys(dataSeed, Domain.probe);
  }

  /** Writes example `index` (training pool first, then held-out) into row `row` of x and y. */
  protected abstract write(index: number, x: Float32Array, y: Float32Array, row: number): void;

  private order(key: number, n: number): Uint32Array {
    let perm = this.orders.get(key);
    if (!perm) {
      perm = permutation(n, key);
      this.orders.set(key, perm);
      if (this.orders.size > 16) this.orders.delete(this.orders.keys().next().value!);
    }
    return perm;
  }

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const heldOut = streamKey === this.probeKey;
    const n = heldOut ? this.heldOutCount : this.streamSize;
    const { set, examples } = this.naming;
    if (start + count > n) {
      throw new Error(
        heldOut
          ? `The probe set needs ${start + count} held-out ${examples}, but ${set} holds ${n}: lower the probe set size.`
          : `${set} has ${n.toLocaleString('en-US')} training ${examples}: a stream of them ends after one pass (asked for ${(start + count).toLocaleString('en-US')}).`,
      );
    }
    const perm = this.order(streamKey, n);
    const base = heldOut ? this.streamSize : 0;
    for (let i = 0; i < count; i++) this.write(base + perm[start + i], x, y, offset + i);
  }

  bayesLoss(): number | null {
    return null;
  }
}
