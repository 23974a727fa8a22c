/**
 * The lean step (models/matmul.ts and the models' hand-written backward passes) against plain tfjs
 * autodiff of the same model: the loss and every parameter's gradient agree to float32 rounding, for the
 * MLP (each activation, both losses), the CNN (odd and even image sizes) and the transformer, with two runs
 * on the run axis, with and without the noise estimator's micro-batches.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import type { Model } from '../src/engine/models/model';
import { mlp, type Activation } from '../src/engine/models/mlp';
import { cnn, type CnnShape } from '../src/engine/models/cnn';
import { forward as transformerForward, transformer, type Products, type TransformerShape } from '../src/engine/models/transformer';
import { stepGradients, type StepConfig } from '../src/engine/step';
import { OptimizerSpec } from '../src/spec/schema';
import type { LossKind } from '../src/engine/tasks';
import { fixtureRng, randomF32, relMaxError } from './helpers/reference';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const R = 2;
const B = 4;

/** tfjs's own matMul, whose gradient autodiff takes with transpose flags. */
const PLAIN: Products = { matMul: (a, b) => tf.matMul(a, b), dataMatMul: (x, w) => tf.matMul(x, w) };

interface Case {
  name: string;
  lean: Model;
  /** The same model differentiated by tfjs's autodiff alone. */
  plain: Model;
  inputDim: number;
  outputDim: number;
  loss: LossKind;
  positions?: number;
  /** Inputs for run-major [R, B, inputDim]. */
  input: (rand: () => number, n: number) => Float32Array;
}

function targets(rand: () => number, rows: number, classes: number, loss: LossKind): Float32Array {
  if (loss === 'mse') return randomF32(rand, rows * classes, -1, 1);
  const onehot = new Float32Array(rows * classes);
  for (let n = 0; n < rows; n++) onehot[n * classes + Math.floor(rand() * classes)] = 1;
  return onehot;
}

function mlpCase(activation: Activation, loss: LossKind): Case {
  const outputDim = loss === 'xent' ? 3 : 2;
  const lean = mlp({ inputDim: 5, width: 6, depth: 2, outputDim, activation });
  return { name: `MLP ${activation} ${loss}`, lean, plain: { ...lean, trace: undefined }, inputDim: 5, outputDim, loss, input: (rand, n) => randomF32(rand, n, -1.5, 1.5) };
}

function cnnCase(shape: CnnShape): Case {
  const lean = cnn(shape);
  const inputDim = shape.height * shape.width * shape.channels;
  return { name: `CNN ${shape.height}×${shape.width}×${shape.channels}`, lean, plain: { ...lean, trace: undefined }, inputDim, outputDim: shape.outputDim, loss: 'xent', input: (rand, n) => randomF32(rand, n, 0, 1) };
}

function transformerCase(shape: TransformerShape): Case {
  const lean = transformer(shape);
  return {
    name: 'transformer',
    lean,
    plain: { ...lean, forward: (params, x) => transformerForward(shape, params, x, PLAIN) },
    inputDim: shape.context,
    outputDim: shape.context * shape.vocabulary,
    loss: 'xent',
    positions: shape.context,
    input: (rand, n) => Float32Array.from({ length: n }, () => Math.floor(rand() * shape.vocabulary)),
  };
}

const CASES: Case[] = [
  mlpCase('relu', 'xent'),
  mlpCase('tanh', 'mse'),
  mlpCase('gelu', 'xent'),
  cnnCase({ height: 6, width: 5, channels: 2, outputDim: 3, conv1: 3, conv2: 2, dense: 4 }),
  cnnCase({ height: 8, width: 8, channels: 1, outputDim: 4, conv1: 4, conv2: 3, dense: 5 }),
  transformerCase({ vocabulary: 5, context: 4, width: 8, layers: 2, heads: 2 }),
];

/** Loss and gradients of one step's objective for R runs split into k micro-batches, as plain arrays. */
function gradients(c: Case, model: Model, k: number, seed: number): { loss: Float32Array; grads: Float32Array[] } {
  const rand = fixtureRng(seed);
  const shapes = model.paramShapes();
  // Each run's own parameters (seeded differently), biases shifted positive so the relus stay alive.
  const params = shapes.map((shape, i) => {
    const size = shape[0] * shape[1];
    const values = new Float32Array(R * size);
    for (let r = 0; r < R; r++) values.set(model.initParams(r + 1)[i].map((v) => v + (shape[0] === 1 ? 0.1 + 0.2 * rand() : 0.05 * (rand() - 0.5))), r * size);
    return values;
  });
  const x = c.input(rand, R * B * c.inputDim);
  const y = c.positions ? targets(rand, R * B * c.positions, c.outputDim / c.positions, c.loss) : targets(rand, R * B, c.outputDim, c.loss);
  const cfg: StepConfig = { batchSize: B, inputDim: c.inputDim, outputDim: c.outputDim, model, loss: c.loss, positions: c.positions, optimizer: OptimizerSpec.parse({}) };
  return tf.tidy(() => {
    const tiled = params.map((values, i) => tf.reshape(tf.tile(tf.expandDims(tf.tensor3d(values, [R, ...shapes[i]] as [number, number, number]), 1), [1, k, 1, 1]), [R * k, ...shapes[i]]));
    const { loss, grads } = stepGradients(cfg, tiled, tf.tensor3d(x, [R * k, B / k, c.inputDim]), tf.tensor3d(y, [R * k, B / k, c.outputDim]), R, k);
    const values = loss.dataSync() as Float32Array;
    loss.dispose(); // kept by stepGradients for its caller
    return { loss: values, grads: grads.map((g) => g.dataSync() as Float32Array) };
  });
}

describe('lean step against plain autodiff', () => {
  for (const c of CASES) {
    for (const k of [1, 2]) {
      it(`${c.name}, ${k === 1 ? 'plain step' : `${k} micro-batches`}`, () => {
        const before = tf.memory().numTensors;
        const lean = gradients(c, c.lean, k, 7);
        const plain = gradients(c, c.plain, k, 7);
        expect(tf.memory().numTensors).toBe(before);
        expect(relMaxError(lean.loss, plain.loss)).toBeLessThan(1e-6);
        expect(lean.grads).toHaveLength(plain.grads.length);
        plain.grads.forEach((g, i) => {
          expect(relMaxError(lean.grads[i], g), `parameter ${i}`).toBeLessThan(1e-5);
          expect(Math.max(...g.map(Math.abs)), `parameter ${i} has a gradient`).toBeGreaterThan(0);
        });
      });
    }
  }
});
