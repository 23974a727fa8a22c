/**
 * One training session: owns the Trainer, runs it while "playing", and streams metrics to the page in batches
 * at most ~10 times a second. Commands are queued and handled between training chunks by one pump, so no
 * command ever interleaves with a half-finished step. It knows nothing of `self`: the worker (and the tests,
 * in Node) hand it a `post` function and feed it the page's messages through `receive`.
 */
import { Trainer, type MetricRow } from '../engine/trainer';
import { assetsFor } from '../engine/tasks';
import { MissingAssetError, isUpload, type Assets } from '../engine/data/assets';
import * as tf from '../engine/tf';
import type { ExperimentSpec } from '../spec/schema';
import { chooseBackend, watchGpuErrors } from './backends';
import { race } from './race';
import type { BackendChoice, BackendInfo, FromWorker, ToWorker } from './protocol';

const POST_INTERVAL_MS = 100;
/** Each chunk of steps aims at this much compute, so pause and edits answer quickly. */
const CHUNK_TARGET_MS = 40;
const MAX_CHUNK = 500;
/** How often a checkpoint goes to the page while training (it is stored there; checkpoint.ts). */
const CHECKPOINT_INTERVAL_MS = 3000;

/**
 * public/data as served. The build's base is relative ('./', so the lab runs from any folder) and means
 * the page's folder, which is the one above this worker's chunk (build.assetsDir); in dev the base is '/'.
 */
const DATA_URL = new URL(`${import.meta.env.BASE_URL}data/`, new URL(/* @vite-ignore */ '..', import.meta.url));

export interface Session {
  /**
   * Takes one message from the page: an upload is stored at once, a ping answered at once, every other
   * command is queued.
   */
  receive(message: ToWorker): void;
}

/** An exception while training (not while handling a command): the worker is replaced, not just told. */
class TrainingFailure extends Error {}

export function createSession(post: (message: FromWorker) => void): Session {
  let trainer: Trainer | null = null;
  let playing = false;
  /** Training stopped because every run finished, not because the person paused: an edit resumes it. */
  let finished = false;
  let chunk = 1;
  let pending: Record<string, MetricRow[]> = {};
  let lastPost = 0;
  const queue: ToWorker[] = [];
  /** Data files loaded so far (data/assets.ts); shared with the trainer, kept across experiments. */
  const assets: Assets = new Map();
  let pumping = false;
  let lastCheckpoint = 0;
  /** Whether the trainer changed (trained, was edited, forked, reset) since the last checkpoint was posted. */
  let changedSinceCheckpoint = false;
  /** The backend this worker runs on, once chosen: a later load asking for it (or for the same choice) keeps it. */
  let chosen: BackendInfo | null = null;
  /** Test-only ('fail' command, how 'throw'): the next training chunk throws, as a crash mid-step would. */
  let throwNextChunk = false;

  /** Chooses a backend once; the pool's workers are told the one the first of them chose, by name. */
  async function backendFor(choice: BackendChoice): Promise<BackendInfo> {
    if (!chosen || (choice !== chosen.name && choice !== chosen.requested)) {
      chosen = await chooseBackend(choice);
      // A lost device or a validation error leaves this worker unable to train: the page replaces it.
      watchGpuErrors((message) => {
        setPlaying(false);
        post({ type: 'failed', message });
      });
    }
    return chosen;
  }

  /** Posts the trainer's state, after the metric rows up to it (so the page holds every row it covers). */
  async function postCheckpoint(): Promise<void> {
    if (!trainer || !changedSinceCheckpoint) return;
    flush();
    changedSinceCheckpoint = false;
    lastCheckpoint = performance.now();
    post({ type: 'checkpoint', checkpoint: await trainer.checkpoint() });
  }
  /** The backend asked for by the last load, for a load retried by an update. */
  let backendChoice: BackendChoice = 'auto';

  function flush(): void {
    if (!trainer) return;
    const ladder = Object.fromEntries(trainer.drainLadder());
    post({ type: 'metrics', rows: pending, ladder, runs: trainer.progress() });
    pending = {};
    lastPost = performance.now();
  }

  function setPlaying(next: boolean): void {
    finished = false;
    if (playing !== next) {
      playing = next;
      post({ type: 'playing', playing });
    }
  }

  /** A command that could not be carried out (the worker itself is fine). */
  function failFatally(message: string): void {
    setPlaying(false);
    post({ type: 'error', message, fatal: true });
  }

  async function trainChunk(steps: number): Promise<void> {
    if (!trainer) return;
    if (throwNextChunk) throw new TrainingFailure('test: the worker was told to throw while training');
    const t0 = performance.now();
    const rows = await trainer.advance(steps);
    changedSinceCheckpoint = true;
    const elapsed = performance.now() - t0;
    for (const [id, runRows] of rows) (pending[id] ??= []).push(...runRows);
    // Grow or shrink the chunk towards the target time; never by more than 2× at once.
    const ideal = (steps * CHUNK_TARGET_MS) / Math.max(elapsed, 1);
    chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round(Math.min(ideal, steps * 2))));
    if (performance.now() - lastPost >= POST_INTERVAL_MS) flush();
  }

  function restarted(ids: string[]): void {
    if (!trainer) return;
    post({ type: 'restarted', ids, runs: trainer.progress(), lossFloor: trainer.lossFloor, probe: trainer.probeInfo() });
  }

  /** Fetches a shipped data file from public/data, reporting progress as it streams in. */
  async function fetchAsset(name: string): Promise<Uint8Array> {
    const response = await fetch(new URL(name, DATA_URL));
    if (!response.ok || !response.body) throw new Error(`Could not load the data file "${name}" (HTTP ${response.status}).`);
    const total = Number(response.headers.get('content-length')) || null;
    const parts: Uint8Array[] = [];
    let loaded = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      loaded += value.length;
      post({ type: 'data', name, loaded, total, done: false });
    }
    const bytes = new Uint8Array(loaded);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    // A shipped file named *.gz is gzipped as a whole (unless the server already undid that).
    const gzipped = name.endsWith('.gz') && bytes[0] === 0x1f && bytes[1] === 0x8b;
    const data = gzipped ? new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).arrayBuffer()) : bytes;
    post({ type: 'data', name, loaded, total, done: true });
    return data;
  }

  /** Loads every data file the experiment's task needs that is not loaded yet (uploads cannot be fetched). */
  async function loadAssets(spec: ExperimentSpec): Promise<void> {
    for (const name of assetsFor(spec.task)) {
      if (assets.has(name)) continue;
      if (isUpload(name)) throw new MissingAssetError(name);
      assets.set(name, await fetchAsset(name));
    }
  }

  /** Stops and drops the trainer, then makes a new one for `spec` on `backend` (a load, or a restore before its checkpoint). */
  async function freshTrainer(spec: ExperimentSpec, backend: BackendChoice): Promise<Trainer> {
    setPlaying(false);
    trainer?.dispose();
    trainer = null;
    backendChoice = backend;
    post({ type: 'backend', info: await backendFor(backend) });
    await loadAssets(spec);
    chunk = 1;
    return new Trainer(spec, { groupRuns: chosen!.groupedRuns, assets });
  }

  async function handle(command: ToWorker): Promise<void> {
    switch (command.type) {
      case 'load': {
        trainer = await freshTrainer(command.spec, command.backend);
        restarted(command.spec.runs.map((r) => r.id));
        changedSinceCheckpoint = true;
        setPlaying(command.play);
        return;
      }
      case 'update': {
        // No trainer: the last load failed (e.g. it needed an uploaded file): try again with this experiment.
        if (!trainer) return handle({ type: 'load', spec: command.spec, backend: backendChoice, play: false });
        flush();
        await loadAssets(command.spec);
        restarted(trainer.update(command.spec));
        changedSinceCheckpoint = true;
        if (finished) setPlaying(true);
        return;
      }
      case 'fork': {
        if (!trainer) return;
        flush();
        try {
          const spec = trainer.forkNow(command.parent, { id: command.id, batchSize: command.batchSize, learningRate: command.learningRate });
          post({ type: 'experiment', spec });
          restarted([command.id]);
          changedSinceCheckpoint = true;
        } catch (err) {
          post({ type: 'error', message: err instanceof Error ? err.message : String(err), fatal: false });
        }
        return;
      }
      case 'snapshot': {
        if (!trainer) return;
        flush();
        try {
          const spec = await trainer.snapshotNow(command.a, command.b, command.elsewhere);
          post({ type: 'experiment', spec });
          flush();
          changedSinceCheckpoint = true; // the comparison and the point recorded for it belong in the next checkpoint
        } catch (err) {
          post({ type: 'error', message: err instanceof Error ? err.message : String(err), fatal: false });
        }
        return;
      }
      case 'reset':
        if (!trainer) return;
        flush();
        trainer.reset();
        changedSinceCheckpoint = true;
        restarted(trainer.experiment.runs.map((r) => r.id));
        if (finished) setPlaying(true);
        return;
      case 'restore': {
        trainer = await freshTrainer(command.checkpoint.spec, command.backend);
        trainer.restore(command.checkpoint);
        restarted([]); // no run starts over: the page already holds their rows
        setPlaying(command.play);
        return;
      }
      case 'choose':
        post({ type: 'backend', info: await backendFor(command.backend) });
        return;
      case 'race':
        await race(command.spec, command.candidates, command.budgetMs, loadAssets, assets, post);
        return;
      case 'upload': // stored on receipt, and ping and fail answered there (receive)
      case 'ping':
      case 'fail':
        return;
      case 'play':
        setPlaying(true);
        return;
      case 'pause':
        setPlaying(false);
        flush();
        return;
      case 'step':
        setPlaying(false);
        await trainChunk(1);
        flush();
        return;
      case 'memory': {
        const { numTensors, numBytes } = tf.memory();
        post({ type: 'memory', backend: tf.getBackend(), numTensors, numBytes });
        return;
      }
    }
  }

  /** Yields to the event loop so queued messages arrive; a MessageChannel is not throttled like timers. */
  const channel = new MessageChannel();
  const yieldToEvents = () =>
    new Promise<void>((resolve) => {
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const command = queue.shift();
        if (command) {
          await handle(command);
        } else if (playing && trainer?.active) {
          try {
            await trainChunk(chunk);
            if (performance.now() - lastCheckpoint >= CHECKPOINT_INTERVAL_MS) await postCheckpoint();
          } catch (err) {
            throw err instanceof TrainingFailure ? err : new TrainingFailure(err instanceof Error ? err.message : String(err));
          }
          await yieldToEvents();
        } else if (changedSinceCheckpoint && trainer) {
          // Idle (paused, or every run finished): the state it stopped in. New commands are read after.
          if (playing && !trainer.active) {
            setPlaying(false);
            finished = true;
          }
          await postCheckpoint();
        } else {
          break;
        }
      }
      if (playing && trainer && !trainer.active) {
        setPlaying(false);
        finished = true;
      }
      flush();
    } catch (err) {
      if (err instanceof TrainingFailure) {
        // Training itself broke (out of memory, a backend fault): this worker's state is suspect; stop here
        // and let the page replace the worker. Queued commands are left to the replacement.
        setPlaying(false);
        queue.length = 0;
        post({ type: 'failed', message: err.message });
      } else {
        failFatally(err instanceof Error ? err.message : String(err));
      }
    } finally {
      pumping = false;
    }
    // A command that failed ends that pump; the commands queued behind it still run.
    if (queue.length) void pump();
  }

  return {
    receive(message) {
      // A ping is answered here, not queued: it measures whether the event loop turns, not how long the queue is.
      if (message.type === 'ping') return post({ type: 'pong', id: message.id });
      if (message.type === 'fail' && message.how === 'throw') {
        throwNextChunk = true;
        return;
      }
      // An upload is stored at once, not queued: a load already waiting for that file (a link opened just
      // before the person chose it) then finds it.
      if (message.type === 'upload') assets.set(message.name, message.bytes);
      else queue.push(message);
      void pump();
    },
  };
}
