/**
 * The model an experiment asks for: each architecture lives in its own module and implements the Model
 * interface (model.ts), which is all the trainer, the step and the noise estimator see.
 */
import type { ModelSpec } from '../../spec/schema';
import type { Task } from '../tasks';
import { mlp } from './mlp';
import { cnn } from './cnn';
import { transformer } from './transformer';
import type { Model } from './model';

export function createModel(spec: ModelSpec, task: Pick<Task, 'inputDim' | 'outputDim' | 'inputImage'>): Model {
  switch (spec.kind) {
    case 'mlp':
      return mlp({ inputDim: task.inputDim, outputDim: task.outputDim, width: spec.width, depth: spec.depth, activation: spec.activation });
    case 'cnn':
      if (!task.inputImage) throw new Error('The CNN needs an image task (digits or shapes).');
      return cnn({ ...task.inputImage, outputDim: task.outputDim, conv1: spec.conv1, conv2: spec.conv2, dense: spec.dense });
    case 'transformer':
      // A sequence task's input is its T token ids and its output T rows of V logits.
      return transformer({ context: task.inputDim, vocabulary: task.outputDim / task.inputDim, width: spec.width, layers: spec.layers, heads: spec.heads });
  }
}
