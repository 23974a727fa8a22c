/**
 * Handwritten digits: MNIST (60,000 training and 10,000 held-out 28×28 grey images, 16 grey levels),
 * shipped as public/data/mnist.bin.gz (scripts/build-digits.mjs) and loaded only when this task runs.
 * Online, each run makes one pass over the 60,000 training digits in its own order; offline, the training
 * set is the first `trainSize` digits of a fixed order. Pixels are scaled to [0, 1].
 */
import { requireAsset, type Assets } from '../data/assets';
import { parseImageSet, type ImageSet } from '../data/images';
import { FiniteSetTask } from './finite';

export const DIGITS_FILE = 'mnist.bin.gz';

/** Parsed sets by their bytes, so a restart does not parse again. */
const parsed = new WeakMap<Uint8Array, ImageSet>();

export function digitsSet(assets: Assets): ImageSet {
  const bytes = requireAsset(assets, DIGITS_FILE);
  let set = parsed.get(bytes);
  if (!set) {
    set = parseImageSet(bytes, DIGITS_FILE);
    parsed.set(bytes, set);
  }
  return set;
}

export class DigitsTask extends FiniteSetTask {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly loss = 'xent' as const;
  readonly inputImage: { width: number; height: number; channels: number };

  constructor(
    private readonly set: ImageSet,
    dataSeed: number,
  ) {
    super(set.trainCount, set.testCount, dataSeed, { set: 'MNIST', examples: 'digits' });
    this.inputImage = { width: set.width, height: set.height, channels: set.channels };
    this.inputDim = set.width * set.height * set.channels;
    this.outputDim = set.classes;
  }

  protected write(index: number, x: Float32Array, y: Float32Array, row: number): void {
    const d = this.inputDim;
    const k = this.outputDim;
    const { pixels, labels } = this.set;
    const from = index * d;
    for (let j = 0; j < d; j++) x[row * d + j] = pixels[from + j] / 255;
    y.fill(0, row * k, (row + 1) * k);
    y[row * k + labels[index]] = 1;
  }
}
