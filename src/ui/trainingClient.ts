/**
 * The UI's side of the worker protocol: one worker per page, commands out, reports into the stores.
 * The main thread never imports tfjs.
 */
import type { ExperimentSpec } from '../spec/schema';
import type { BackendChoice, FromWorker, ToWorker } from '../worker/protocol';
import { adoptSpec } from './stores/experiment';
import { appendMetrics, reportError, restartRuns, useRuns } from './stores/runs';

const worker = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });

function send(message: ToWorker): void {
  worker.postMessage(message);
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'backend':
      useRuns.setState({ backend: message.info, loadingBackend: false });
      return;
    case 'restarted':
      restartRuns(message.ids, message.runs, message.lossFloor);
      return;
    case 'metrics':
      appendMetrics(message.rows, message.runs);
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
  upload: (name: string, bytes: Uint8Array) => send({ type: 'upload', name, bytes }),
};
