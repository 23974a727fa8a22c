/**
 * The training worker: owns the Trainer, runs it while "playing", and streams metrics to the UI in batches
 * at most ~10 times a second. Commands are queued and handled between training chunks by one pump, so no
 * command ever interleaves with a half-finished step.
 */
import { Trainer, type MetricRow } from '../engine/trainer';
import { assetsFor } from '../engine/tasks';
import { MissingAssetError, isUpload, type Assets } from '../engine/data/assets';
import type { ExperimentSpec } from '../spec/schema';
import { chooseBackend, watchGpuErrors } from './backends';
import type { FromWorker, ToWorker } from './protocol';

const POST_INTERVAL_MS = 100;
/** Each chunk of steps aims at this much compute, so pause and edits answer quickly. */
const CHUNK_TARGET_MS = 40;
const MAX_CHUNK = 500;

const post = (message: FromWorker) => self.postMessage(message);

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

function flush(): void {
  if (!trainer) return;
  post({ type: 'metrics', rows: pending, runs: trainer.progress() });
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

function failFatally(message: string): void {
  setPlaying(false);
  post({ type: 'error', message, fatal: true });
}

async function trainChunk(steps: number): Promise<void> {
  if (!trainer) return;
  const t0 = performance.now();
  const rows = await trainer.advance(steps);
  const elapsed = performance.now() - t0;
  for (const [id, runRows] of rows) (pending[id] ??= []).push(...runRows);
  // Grow or shrink the chunk towards the target time; never by more than 2× at once.
  const ideal = (steps * CHUNK_TARGET_MS) / Math.max(elapsed, 1);
  chunk = Math.max(1, Math.min(MAX_CHUNK, Math.round(Math.min(ideal, steps * 2))));
  if (performance.now() - lastPost >= POST_INTERVAL_MS) flush();
}

function restarted(ids: string[]): void {
  if (!trainer) return;
  post({ type: 'restarted', ids, runs: trainer.progress(), lossFloor: trainer.lossFloor });
}

/** Fetches a shipped data file from public/data, reporting progress as it streams in. */
async function fetchAsset(name: string): Promise<Uint8Array> {
  const response = await fetch(`${import.meta.env.BASE_URL}data/${name}`);
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
  post({ type: 'data', name, loaded, total, done: true });
  return bytes;
}

/** Loads every data file the experiment's task needs that is not loaded yet (uploads cannot be fetched). */
async function loadAssets(spec: ExperimentSpec): Promise<void> {
  for (const name of assetsFor(spec.task)) {
    if (assets.has(name)) continue;
    if (isUpload(name)) throw new MissingAssetError(name);
    assets.set(name, await fetchAsset(name));
  }
}

async function handle(command: ToWorker): Promise<void> {
  switch (command.type) {
    case 'load': {
      setPlaying(false);
      trainer?.dispose();
      trainer = null;
      const info = await chooseBackend(command.backend);
      watchGpuErrors(failFatally);
      post({ type: 'backend', info });
      await loadAssets(command.spec);
      trainer = new Trainer(command.spec, { groupRuns: info.groupedRuns, assets });
      chunk = 1;
      restarted(command.spec.runs.map((r) => r.id));
      setPlaying(command.play);
      return;
    }
    case 'update': {
      if (!trainer) return;
      flush();
      await loadAssets(command.spec);
      restarted(trainer.update(command.spec));
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
      } catch (err) {
        post({ type: 'error', message: err instanceof Error ? err.message : String(err), fatal: false });
      }
      return;
    }
    case 'upload':
      // The bytes were checked in the page (data/text.ts); a trainer already built keeps its own copy.
      assets.set(command.name, command.bytes);
      return;
    case 'reset':
      if (!trainer) return;
      flush();
      trainer.reset();
      restarted(trainer.experiment.runs.map((r) => r.id));
      if (finished) setPlaying(true);
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
        await trainChunk(chunk);
        await yieldToEvents();
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
    failFatally(err instanceof Error ? err.message : String(err));
  } finally {
    pumping = false;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  queue.push(event.data);
  void pump();
};
