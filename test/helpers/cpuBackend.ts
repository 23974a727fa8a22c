import { afterEach, beforeAll, beforeEach, expect } from 'vitest';
import * as tf from '../../src/engine/tf';

/** Runs a test file on tfjs's cpu backend and fails any test that leaves a tensor behind. */
export function onCpuBackendWithoutLeaks(): void {
  let tensorsAtStart = 0;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  beforeEach(() => {
    tensorsAtStart = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
  });
}
