/**
 * The UI's side of the worker protocol: one worker per page, commands out, reports into the stores.
 * The main thread never imports tfjs.
 */
import type { ExperimentSpec } from '../spec/schema';
import type { TrainerCheckpoint } from '../engine/checkpoint';
import type { BackendChoice, FromWorker, ToWorker } from '../worker/protocol';
import { adoptSpec } from './stores/experiment';
import { appendMetrics, reportError, restartRuns, useRuns } from './stores/runs';

const worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });

function send(message: ToWorker): void {
  worker.postMessage(message);
}

/** Who wants the worker's checkpoints (the persistence layer). */
export const checkpointListeners = new Set<(checkpoint: TrainerCheckpoint) => void>();

export type WorkerMemory = Omit<Extract<FromWorker, { type: 'memory' }>, 'type'>;
/** Callers of training.memory() waiting for the worker's answer, in the order they asked. */
const memoryRequests: Array<(memory: WorkerMemory) => void> = [];

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'backend':
      useRuns.setState({ backend: message.info, loadingBackend: false });
      return;
    case 'restarted':
      restartRuns(message.ids, message.runs, message.lossFloor, message.probe);
      return;
    case 'metrics':
      appendMetrics(message.rows, message.ladder, message.runs);
      return;
    case 'experiment':
      adoptSpec(message.spec);
      return;
    case 'playing':
      useRuns.setState({ playing: message.playing });
      return;
    case 'data': {
      const { name, loaded, total, done } = message;
      useRuns.setState({ dataLoading: done ? null : { name, loaded, total } });
      return;
    }
    case 'error':
      useRuns.setState({ loadingBackend: false, dataLoading: null });
      reportError(message.message);
      return;
    case 'checkpoint':
      checkpointListeners.forEach((listener) => listener(message.checkpoint));
      return;
    case 'memory': {
      const { type: _type, ...memory } = message;
      memoryRequests.shift()?.(memory);
      return;
    }
  }
};

worker.onerror = (event) => reportError(`The training worker crashed: ${event.message || 'unknown error'}`);

export const training = {
  load(spec: ExperimentSpec, backend: BackendChoice, play: boolean) {
    useRuns.setState({ loadingBackend: true, errors: [] });
    send({ type: 'load', spec, backend, play });
  },
  update: (spec: ExperimentSpec) => send({ type: 'update', spec }),
  play: () => send({ type: 'play' }),
  pause: () => send({ type: 'pause' }),
  step: () => send({ type: 'step' }),
  fork: (parent: string, id: string, batchSize: number, learningRate: number) => send({ type: 'fork', parent, id, batchSize, learningRate }),
  reset: () => send({ type: 'reset' }),
  snapshot: (a: string, b: string) => send({ type: 'snapshot', a, b }),
  restore(checkpoint: TrainerCheckpoint, backend: BackendChoice, play: boolean) {
    useRuns.setState({ loadingBackend: true, errors: [] });
    send({ type: 'restore', checkpoint, backend, play });
  },
  /** Hands the worker a person's file (the bytes are transferred, not copied). */
  upload(name: string, bytes: Uint8Array) {
    worker.postMessage({ type: 'upload', name, bytes } satisfies ToWorker, [bytes.buffer]);
  },
  /** The worker's tf.memory(), read between two chunks of steps (for the soak benchmark). */
  memory(): Promise<WorkerMemory> {
    return new Promise((resolve) => {
      memoryRequests.push(resolve);
      send({ type: 'memory' });
    });
  },
};
