/**
 * The engine's one entry to tfjs, so the whole engine agrees on one tfjs instance (the umbrella package
 * registers every op's gradient and the cpu and webgl backends in the browser and in Node alike).
 */
export * from '@tensorflow/tfjs';
