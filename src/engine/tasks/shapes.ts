/**
 * An infinite stream of procedurally drawn 32×32 colour images in ten classes — five shapes, a bar and
 * four textures — with random position, size, rotation, colours and pixel noise: the browser's counterpart
 * of CIFAR-5m (itself synthetic). Sample i is a pure function of (stream key, i); labels are uniform over
 * the classes. Pixel values are in [0, 1], channels last.
 */
import { Rng, hashKeys } from '../rng';
import type { Task } from './task';

export const SHAPE_CLASSES = ['disc', 'ring', 'square', 'triangle', 'cross', 'bar', 'stripes', 'checks', 'dots', 'split'] as const;

const SIZE = 32;
const CHANNELS = 3;
const TWO_PI = 2 * Math.PI;
/** Outward normals of an equilateral triangle's sides. */
const TRIANGLE = [0, 1, 2].map((k) => [Math.cos(-Math.PI / 2 + (k * TWO_PI) / 3), Math.sin(-Math.PI / 2 + (k * TWO_PI) / 3)]);

/** Coverage in [0, 1] of a pixel at rotated offsets (u, v) from the centre, for a shape of size r, period p. */
function coverage(label: number, u: number, v: number, r: number, p: number, phase: number): number {
  let s: number; // signed distance in pixels, negative inside
  switch (label) {
    case 0:
      s = Math.sqrt(u * u + v * v) - r;
      break;
    case 1:
      s = Math.abs(Math.sqrt(u * u + v * v) - 0.75 * r) - 0.22 * r;
      break;
    case 2:
      s = Math.max(Math.abs(u), Math.abs(v)) - 0.8 * r;
      break;
    case 3:
      s = Math.max(TRIANGLE[0][0] * u + TRIANGLE[0][1] * v, TRIANGLE[1][0] * u + TRIANGLE[1][1] * v, TRIANGLE[2][0] * u + TRIANGLE[2][1] * v) - 0.5 * r;
      break;
    case 4: {
      const au = Math.abs(u);
      const av = Math.abs(v);
      s = Math.min(Math.max(au - 0.22 * r, av - r), Math.max(av - 0.22 * r, au - r));
      break;
    }
    case 5:
      s = Math.max(Math.abs(u) - 1.1 * r, Math.abs(v) - 0.2 * r);
      break;
    case 6:
      return clamp01(0.5 + 2 * Math.sin((TWO_PI * u) / p + phase));
    case 7:
      return clamp01(0.5 + 4 * Math.sin((TWO_PI * u) / p + phase) * Math.sin((TWO_PI * v) / p + phase));
    case 8:
      return clamp01(3 * (Math.cos((TWO_PI * u) / p + phase) + Math.cos((TWO_PI * v) / p + phase) - 1));
    default:
      s = u;
  }
  return clamp01(0.5 - s);
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

export class ShapesTask implements Task {
  readonly inputDim = SIZE * SIZE * CHANNELS;
  readonly outputDim = SHAPE_CLASSES.length;
  readonly loss = 'xent' as const;
  readonly inputImage = { width: SIZE, height: SIZE, channels: CHANNELS };

  /** `noise`: amplitude of the uniform pixel noise added to every channel. */
  constructor(private readonly noise: number) {}

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const d = this.inputDim;
    const k = this.outputDim;
    const bg = [0, 0, 0];
    const fg = [0, 0, 0];
    for (let n = 0; n < count; n++) {
      const row = offset + n;
      const rng = new Rng(hashKeys(streamKey, start + n));
      const label = Math.min(k - 1, Math.floor(rng.uniform() * k));
      for (let c = 0; c < CHANNELS; c++) {
        bg[c] = rng.uniform();
        // A circular shift of 0.35–0.65 keeps every channel of the shape at least 0.35 from the background.
        const shifted = bg[c] + 0.35 + 0.3 * rng.uniform();
        fg[c] = shifted >= 1 ? shifted - 1 : shifted;
      }
      const cx = SIZE * (0.3 + 0.4 * rng.uniform());
      const cy = SIZE * (0.3 + 0.4 * rng.uniform());
      const r = SIZE * (0.18 + 0.14 * rng.uniform());
      const angle = TWO_PI * rng.uniform();
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      const period = 4 + 4 * rng.uniform();
      const phase = TWO_PI * rng.uniform();
      const amp = (2 * this.noise) / 0x100000000;
      // Pixel noise from a xorshift32 seeded by this sample's generator: cheap, and still a function of (key, i).
      let state = rng.nextUint32() | 1;
      let at = row * d;
      for (let py = 0; py < SIZE; py++) {
        const dy = py + 0.5 - cy;
        for (let px = 0; px < SIZE; px++) {
          const dx = px + 0.5 - cx;
          const cov = coverage(label, dx * cos + dy * sin, dy * cos - dx * sin, r, period, phase);
          for (let c = 0; c < CHANNELS; c++) {
            state ^= state << 13;
            state ^= state >>> 17;
            state ^= state << 5;
            const value = bg[c] + cov * (fg[c] - bg[c]) + amp * ((state >>> 0) - 0x80000000);
            x[at++] = value < 0 ? 0 : value > 1 ? 1 : value;
          }
        }
      }
      y.fill(0, row * k, (row + 1) * k);
      y[row * k + label] = 1;
    }
  }

  bayesLoss(): number | null {
    return null;
  }
}
