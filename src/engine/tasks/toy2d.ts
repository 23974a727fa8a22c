import { Rng, hashKeys } from '../rng';
import type { Task } from './task';

export type ToyDataset = 'spiral' | 'circles' | 'xor' | 'gaussians';

/** Draws one clean point of the dataset into out[0..1] and returns its class (0 or 1). */
const generators: Record<ToyDataset, (rng: Rng, out: number[]) => number> = {
  spiral(rng, out) {
    const label = rng.uniform() < 0.5 ? 0 : 1;
    const t = rng.uniform();
    const r = 0.15 + 0.85 * t;
    const angle = 1.75 * 2 * Math.PI * t + label * Math.PI;
    out[0] = r * Math.cos(angle) * 2 + 0.05 * rng.gaussian();
    out[1] = r * Math.sin(angle) * 2 + 0.05 * rng.gaussian();
    return label;
  },
  circles(rng, out) {
    const label = rng.uniform() < 0.5 ? 0 : 1;
    const r = label === 0 ? 0.9 * Math.sqrt(rng.uniform()) : 1.3 + 0.7 * rng.uniform();
    const angle = 2 * Math.PI * rng.uniform();
    out[0] = r * Math.cos(angle);
    out[1] = r * Math.sin(angle);
    return label;
  },
  xor(rng, out) {
    // Keep a small margin around the axes so the clean classes do not touch.
    const coord = () => (0.1 + 1.9 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
    out[0] = coord();
    out[1] = coord();
    return out[0] * out[1] > 0 ? 0 : 1;
  },
  gaussians(rng, out) {
    const label = rng.uniform() < 0.5 ? 0 : 1;
    const centre = label === 0 ? -1 : 1;
    out[0] = centre + 0.7 * rng.gaussian();
    out[1] = centre + 0.7 * rng.gaussian();
    return label;
  },
};

/** Two-class 2-D toy sets (as in TensorFlow Playground), an infinite stream with label flips. */
export class Toy2dTask implements Task {
  readonly inputDim = 2;
  readonly outputDim = 2;
  readonly loss = 'xent' as const;

  constructor(
    private readonly dataset: ToyDataset,
    private readonly labelNoise: number,
  ) {}

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const point = [0, 0];
    for (let n = 0; n < count; n++) {
      const row = offset + n;
      const rng = new Rng(hashKeys(streamKey, start + n));
      let label = generators[this.dataset](rng, point);
      if (rng.uniform() < this.labelNoise) label = 1 - label;
      x[row * 2] = point[0];
      x[row * 2 + 1] = point[1];
      y[row * 2] = label === 0 ? 1 : 0;
      y[row * 2 + 1] = label === 1 ? 1 : 0;
    }
  }

  /** Known only where the clean classes are separable: then the floor is the flip entropy. */
  bayesLoss(): number | null {
    if (this.dataset === 'gaussians') return null;
    const p = this.labelNoise;
    return p <= 0 ? 0 : -(p * Math.log(p) + (1 - p) * Math.log(1 - p));
  }
}
