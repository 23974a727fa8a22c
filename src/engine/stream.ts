/**
 * Where a run's samples come from. A run reads its source by position (samples consumed so far), never by
 * step, so a change of batch size mid-run or a fork continues the same sequence exactly.
 *   - online: position p is sample p of the run's own infinite stream (fresh samples, never reused);
 *   - offline: a fixed training set of N samples (one per experiment), visited in a fresh random order
 *     each epoch: position p is sample perm_e(p mod N) with e = ⌊p / N⌋, perm_e seeded by (run seed, e).
 */
import type { RegimeSpec } from '../spec/schema';
import { Domain, hashKeys, permutation } from './rng';
import type { Task } from './tasks/task';

export interface SampleSource {
  /** Writes positions [position, position + count) of the run keyed `runKey` into x and y from row `offset`. */
  fill(runKey: number, position: number, count: number, x: Float32Array, y: Float32Array, offset: number): void;
  /** Samples per epoch, or null for an infinite stream. */
  readonly epochSize: number | null;
}

export class OnlineSource implements SampleSource {
  readonly epochSize = null;
  constructor(private readonly task: Task) {}

  fill(runKey: number, position: number, count: number, x: Float32Array, y: Float32Array, offset: number): void {
    this.task.fill(runKey, position, count, x, y, offset);
  }
}

export class OfflineSource implements SampleSource {
  readonly epochSize: number;
  /** The training set, generated once: N × inputDim and N × outputDim. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  private readonly inputDim: number;
  private readonly outputDim: number;
  /** Epoch orders by "runKey:epoch"; a few recent ones are kept (forks share their parent's key). */
  private readonly orders = new Map<string, Uint32Array>();

  constructor(task: Task, dataSeed: number, regime: Extract<RegimeSpec, { kind: 'offline' }>) {
    this.epochSize = regime.trainSize;
    this.inputDim = task.inputDim;
    this.outputDim = task.outputDim;
    this.x = new Float32Array(this.epochSize * task.inputDim);
    this.y = new Float32Array(this.epochSize * task.outputDim);
    task.fill(hashKeys(dataSeed, Domain.trainSet), 0, this.epochSize, this.x, this.y, 0);
  }

  private order(runKey: number, epoch: number): Uint32Array {
    const key = `${runKey}:${epoch}`;
    let perm = this.orders.get(key);
    if (!perm) {
      perm = permutation(this.epochSize, hashKeys(runKey, epoch));
      this.orders.set(key, perm);
      if (this.orders.size > 128) this.orders.delete(this.orders.keys().next().value!);
    }
    return perm;
  }

  fill(runKey: number, position: number, count: number, x: Float32Array, y: Float32Array, offset: number): void {
    const { inputDim: d, outputDim: k, epochSize: n } = this;
    for (let i = 0; i < count; i++) {
      const p = position + i;
      const sample = this.order(runKey, Math.floor(p / n))[p % n];
      x.set(this.x.subarray(sample * d, (sample + 1) * d), (offset + i) * d);
      y.set(this.y.subarray(sample * k, (sample + 1) * k), (offset + i) * k);
    }
  }
}

export function createSource(task: Task, dataSeed: number, regime: RegimeSpec): SampleSource {
  return regime.kind === 'online' ? new OnlineSource(task) : new OfflineSource(task, dataSeed, regime);
}
