/**
 * The page's pool of training workers. Each worker trains a share of the runs (a fork lives with its
 * parent: engine/partition.ts), so a sweep uses every core; on a GPU backend stacking runs in one worker is
 * the point, so there the pool is one worker. The pool speaks the one protocol (worker/protocol.ts) to each
 * worker and merges what they report, so the stores, persistence, export and links see one experiment as
 * with a single worker. A run's numbers depend only on the experiment and its own spec, never on which
 * worker trains it or with whom (test/poolEquality.test.ts).
 *
 * It also heals itself (supervisor.ts): a worker that fails is replaced by one that restores its runs from
 * their last checkpoint and replays the steps since; the rows the page already holds are dropped (Replay).
 */
import { CHECKPOINT_FORMAT, type TrainerCheckpoint } from '../../engine/checkpoint';
import { assetsFor } from '../../engine/tasks';
import { isUpload } from '../../engine/data/assets';
import { familyRoots, partitionRuns } from '../../engine/partition';
import type { RunProgress } from '../../engine/trainer';
import type { ExperimentSpec } from '../../spec/schema';
import type { BackendChoice, BackendInfo, FromWorker, ToWorker } from '../../worker/protocol';
import { adoptSpec } from '../stores/experiment';
import { appendMetrics, reportError, restartRuns, useRuns } from '../stores/runs';
import { Replay, checkpointShare, combineCheckpoints, mergeSpec, subSpec } from './shares';
import { PING_EVERY_MS, RecoveryPolicy, heard, tick, type Watched } from './supervisor';
import { addPoolNotice, usePool } from './status';

/** A replacement worker catching up: the rows to drop, and what to say once it trains again. */
interface Catching {
  filter: Replay;
  /** Says what happened and what was recovered, when the replacement's first rows arrive; null once said. */
  resumed: (() => string) | null;
}

/** For tests and the record: when each recovery began (failure seen) and when training went on. */
export interface Recovery {
  reason: string;
  failedAt: number;
  resumedAt: number | null;
}

interface Slot extends Watched {
  worker: Worker;
  /** The runs this worker trains. */
  ids: Set<string>;
  /** Its latest checkpoint (runs restarted since are dropped from it: they replay from step 0). */
  checkpoint: TrainerCheckpoint | null;
  playing: boolean;
  /** While a replacement worker catches up: the rows to drop, and what to say when it has. */
  replay: Catching | null;
}

/** What the workers hold on their backends, summed over the pool (tf.memory(); the soak benchmark reads it). */
export interface PoolMemory {
  backend: string;
  numTensors: number;
  numBytes: number;
  workers: number;
}

/** A training worker (one same-origin module script for the pool, its replacements and the race's scout). */
export const spawnWorker = () => new Worker(new URL('../../worker/training.worker.ts', import.meta.url), { type: 'module' });

/** A run family's weight when a new family joins a worker (runs of a worker, roughly its work). */
const load = (slot: Slot) => slot.ids.size;

export class Pool {
  private slots: Slot[] = [];
  private spec: ExperimentSpec | null = null;
  /** The backend asked for, and the one the first worker chose (the others are told it by name). */
  private asked: BackendChoice = 'auto';
  private info: BackendInfo | null = null;
  /** What a load waits for before the workers get their shares: the first worker's backend. */
  private starting: { checkpoint: TrainerCheckpoint | null; play: boolean; replay: boolean } | null = null;
  private progress = new Map<string, RunProgress>();
  /** Files people uploaded: every replacement worker needs them too. */
  private uploads = new Map<string, Uint8Array>();
  private policy = new RecoveryPolicy();
  /** Every recovery of this page (window.sgdLab.recoveries). */
  readonly recoveries: Recovery[] = [];
  /** Whether the person wants training to go on (the last play or pause). */
  private wanted = false;
  /** The backend to ask the first worker for (auto's remembered winner: race.ts). */
  pick: (spec: ExperimentSpec, choice: BackendChoice) => BackendChoice = (_spec, choice) => choice;
  /** The backend as shown, with auto's measured rates among its notices (race.ts). */
  describe: (info: BackendInfo) => BackendInfo = (info) => info;
  /** Counts loads and restores: a late answer about an earlier one is recognised as such. */
  loads = 0;
  readonly checkpointListeners = new Set<(checkpoint: TrainerCheckpoint) => void>();
  /** Called once the first metric rows of a load arrive (auto's race starts then, not before). */
  readonly firstRowsListeners = new Set<() => void>();
  private firstRowsSeen = false;

  constructor() {
    setInterval(() => this.heartbeat(), PING_EVERY_MS);
  }

  get backend(): BackendInfo | null {
    return this.info;
  }

  get experiment(): ExperimentSpec | null {
    return this.spec;
  }

  /** The backend the person asked for (auto, or one by name). */
  get requested(): BackendChoice {
    return this.asked;
  }

  /** Whether the person wants training to go on (the last play or pause). */
  get playingWanted(): boolean {
    return this.wanted;
  }

  /** Trains `spec` from step 0 on `backend`. */
  load(spec: ExperimentSpec, backend: BackendChoice, play: boolean): void {
    useRuns.setState({ loadingBackend: true, errors: [] });
    usePool.setState({ stopped: null });
    this.start(spec, backend, { checkpoint: null, play, replay: false });
  }

  /** Continues every run from `checkpoint` (one of the whole experiment; split among the workers). */
  restore(checkpoint: TrainerCheckpoint, backend: BackendChoice, play: boolean): void {
    useRuns.setState({ loadingBackend: true, errors: [] });
    usePool.setState({ stopped: null });
    this.start(checkpoint.spec, backend, { checkpoint, play, replay: false });
  }

  /** A new pool size: the runs move to their new workers through their checkpoints, replaying the steps since. */
  resize(size: number): void {
    usePool.setState({ size });
    if (!this.spec || !this.info || this.starting || this.info.groupedRuns) return;
    if (this.workersFor(this.spec) === this.slots.length) return; // as many workers as before: nothing moves
    if (this.slots.some((s) => s.replay)) return; // a recovery is under way: the new size applies at the next load
    const checkpoint = combineCheckpoints(this.spec, this.slots.flatMap((s) => (s.checkpoint ? [s.checkpoint] : [])));
    this.start(this.spec, this.asked, { checkpoint, play: this.wanted, replay: true });
  }

  private start(spec: ExperimentSpec, backend: BackendChoice, starting: NonNullable<Pool['starting']>): void {
    this.stopAll();
    useRuns.setState({ playing: false }); // the stopped workers never say so; the new ones say when they play
    this.spec = spec;
    this.asked = backend;
    this.loads++;
    this.info = null;
    this.wanted = starting.play;
    this.firstRowsSeen = false;
    // A restore continues the runs the page already shows: until each worker reports, they stand as shown
    // (a worker's first report must not drop the runs of the others).
    this.progress = starting.checkpoint ? new Map(useRuns.getState().runs.map((r) => [r.id, r])) : new Map();
    this.starting = starting;
    const count = this.workersFor(spec);
    for (let i = 0; i < count; i++) this.slots.push(this.newSlot(new Set()));
    const choice = this.pick(spec, backend);
    // One worker needs no backend first: it gets the whole experiment at once (no round trip before the first step).
    if (count === 1) this.handOut(choice);
    else this.slots[0].worker.postMessage({ type: 'choose', backend: choice } satisfies ToWorker);
  }

  /** The first worker chose the backend: every worker gets its share of the runs. */
  private begin(info: BackendInfo): void {
    if (info.groupedRuns) this.slots.splice(1).forEach((s) => s.worker.terminate());
    this.handOut(info.name);
  }

  /** The pool size for `spec`: the setting, but no more workers than run families (the rest would idle). */
  private workersFor(spec: ExperimentSpec): number {
    const families = new Set(familyRoots(spec.runs).values()).size;
    return Math.max(1, Math.min(usePool.getState().size, families));
  }

  /** Gives every worker its share of the runs, to load or restore on `backend`. */
  private handOut(backend: BackendChoice): void {
    const starting = this.starting!;
    this.starting = null;
    const spec = this.spec!;
    const shares = partitionRuns(spec, this.slots.length);
    const held = this.heldSteps();
    this.slots.forEach((slot, i) => {
      slot.ids = new Set(shares[i]);
      if (starting.replay) slot.replay = this.replayOf(slot, held, null);
      const command: ToWorker = starting.checkpoint
        ? { type: 'restore', checkpoint: checkpointShare({ ...starting.checkpoint, spec }, slot.ids), backend, play: starting.play || slot.replay !== null }
        : { type: 'load', spec: subSpec(spec, slot.ids), backend, play: starting.play };
      slot.worker.postMessage(command);
    });
    usePool.setState({ active: this.slots.length });
  }

  /**
   * A worker that has loaded its code (2.4 MB of tfjs, parsed) and waits to replace one that fails: a
   * recovery then skips that second or two. Made after the first rows, so it never delays the first step.
   */
  private spare: Worker | null = null;

  private makeSpare(): void {
    if (this.spare) return;
    this.spare = spawnWorker();
    for (const [name, bytes] of this.uploads) this.spare.postMessage({ type: 'upload', name, bytes: bytes.slice() } satisfies ToWorker);
  }

  private newSlot(ids: Set<string>, worker = spawnWorker()): Slot {
    const slot: Slot = { worker, ids, checkpoint: null, playing: false, replay: null, unanswered: null, starting: true };
    slot.worker.onmessage = (event: MessageEvent<FromWorker>) => {
      if (!this.slots.includes(slot)) return; // a worker already replaced
      heard(slot);
      this.receive(slot, event.data);
    };
    slot.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(slot, `crashed (${event.message || 'an uncaught error'})`);
    };
    if (worker !== this.spare) for (const [name, bytes] of this.uploads) worker.postMessage({ type: 'upload', name, bytes: bytes.slice() } satisfies ToWorker);
    else this.spare = null;
    return slot;
  }

  private stopAll(): void {
    this.slots.forEach((s) => s.worker.terminate());
    this.slots = [];
  }

  private send(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message);
  }

  private broadcast(message: ToWorker): void {
    this.slots.forEach((s) => this.send(s, message));
  }

  private slotOf(id: string): Slot | undefined {
    return this.slots.find((s) => s.ids.has(id));
  }

  /** Every run's progress in the experiment's order (runs not reported yet are left out). */
  private merged(): RunProgress[] {
    return (this.spec?.runs ?? []).flatMap((r) => this.progress.get(r.id) ?? []);
  }

  /** Each run's last step on the page. */
  private heldSteps(): Map<string, number> {
    const { metrics } = useRuns.getState();
    return new Map(Object.entries(metrics).map(([id, rows]) => [id, rows.length ? rows[rows.length - 1].step : 0]));
  }

  private receive(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'backend': {
        if (slot === this.slots[0] && this.starting) this.begin(message.info);
        if (slot !== this.slots[0] && !slot.replay) return;
        this.info = message.info;
        const shown = this.describe({ ...message.info, requested: this.asked });
        useRuns.setState({ backend: shown, loadingBackend: false });
        return;
      }
      case 'restarted': {
        message.runs.forEach((r) => this.progress.set(r.id, r));
        // Runs that start over replay from step 0 after a failure, not from the stale checkpoint.
        if (slot.checkpoint && message.ids.length) slot.checkpoint = { ...slot.checkpoint, runs: slot.checkpoint.runs.filter((r) => !message.ids.includes(r.id)) };
        restartRuns(slot.replay ? [] : message.ids, this.merged(), message.lossFloor, message.probe);
        return;
      }
      case 'metrics': {
        const replay = slot.replay;
        for (const run of message.runs) {
          // A replaying run keeps showing where it stood until it gets back there.
          if (!replay || replay.filter.caughtUp(run.id, run.step, run.status === 'done' || run.status === 'diverged')) this.progress.set(run.id, run);
        }
        const rows = replay ? replay.filter.rows(message.rows) : message.rows;
        const ladder = replay ? replay.filter.ladder(message.ladder) : message.ladder;
        if (Object.values(message.rows).some((r) => r.length)) {
          slot.starting = false;
          if (replay?.resumed) {
            addPoolNotice(replay.resumed());
            replay.resumed = null;
            const last = this.recoveries[this.recoveries.length - 1];
            if (last) last.resumedAt = performance.now();
          }
        }
        appendMetrics(rows, ladder, this.merged());
        if (replay && message.runs.every((r) => replay.filter.caughtUp(r.id, r.step, r.status === 'done' || r.status === 'diverged'))) this.caughtUp(slot);
        if (!this.firstRowsSeen && Object.values(rows).some((r) => r.length)) {
          this.firstRowsSeen = true;
          this.makeSpare();
          this.firstRowsListeners.forEach((l) => l());
        }
        return;
      }
      case 'playing':
        slot.playing = message.playing;
        if (!slot.replay) useRuns.setState({ playing: this.slots.some((s) => s.playing) });
        return;
      case 'data': {
        const { name, loaded, total, done } = message;
        useRuns.setState({ dataLoading: done ? null : { name, loaded, total } });
        return;
      }
      case 'experiment': {
        const before = this.spec!;
        this.spec = mergeSpec(before, message.spec);
        for (const run of this.spec.runs) if (!this.slotOf(run.id)) slot.ids.add(run.id);
        // A comparison taken in one worker joins every worker's ladder.
        if (JSON.stringify(before.comparisons) !== JSON.stringify(this.spec.comparisons)) {
          for (const other of this.slots) if (other !== slot) this.send(other, { type: 'update', spec: subSpec(this.spec, other.ids) });
        }
        adoptSpec(this.spec);
        return;
      }
      case 'error':
        useRuns.setState({ loadingBackend: false, dataLoading: null });
        reportError(message.message);
        return;
      case 'failed':
        this.fail(slot, message.message);
        return;
      case 'checkpoint': {
        slot.checkpoint = message.checkpoint;
        if (slot.replay || this.slots.some((s) => !s.checkpoint)) return; // the page stores whole experiments only
        const whole = combineCheckpoints(this.spec!, this.slots.map((s) => s.checkpoint!));
        this.checkpointListeners.forEach((l) => l(whole));
        return;
      }
      case 'memory':
        this.settleMemory(slot, message);
        return;
      case 'pong':
      case 'rate':
      case 'raceDone':
        return;
    }
  }

  private replayOf(slot: Slot, held: Map<string, number>, resumed: Catching['resumed']): Catching {
    return { filter: new Replay(new Map([...slot.ids].map((id) => [id, held.get(id) ?? 0]))), resumed };
  }

  private caughtUp(slot: Slot): void {
    slot.replay = null;
    this.policy.recovered();
    if (!this.wanted) this.send(slot, { type: 'pause' });
    this.makeSpare();
    useRuns.setState({ playing: this.slots.some((s) => s.playing) });
  }

  /** A worker failed: replace it by one that restores its runs and replays the steps since their checkpoint. */
  private fail(slot: Slot, reason: string): void {
    if (!this.slots.includes(slot)) return;
    this.settleMemory(slot, null);
    slot.worker.terminate();
    if (!this.info) {
      // It failed before a backend was chosen: there is nothing to restore yet.
      this.stopAll();
      useRuns.setState({ loadingBackend: false });
      return reportError(`The training worker ${reason} while starting: reload the page to try again.`);
    }
    const attempt = this.policy.failed();
    const index = this.slots.indexOf(slot);
    const name = this.slots.length > 1 ? `Training worker ${index + 1} of ${this.slots.length}` : 'The training worker';
    if (attempt === null) {
      this.stopAll();
      useRuns.setState({ playing: false });
      usePool.setState({ active: 0, stopped: `${name} ${reason}, and recovery failed three times in a row, so training stopped. Every row up to here is kept: export the runs, or reload the page to resume from the last checkpoint.` });
      return;
    }
    const fresh = this.newSlot(slot.ids, this.spare ?? undefined);
    if (this.failReplacements) this.send(fresh, { type: 'fail', how: this.failReplacements });
    fresh.checkpoint = slot.checkpoint;
    this.slots[index] = fresh;
    const spec = subSpec(this.spec!, fresh.ids);
    const checkpoint = fresh.checkpoint ? { ...fresh.checkpoint, spec } : { format: CHECKPOINT_FORMAT, spec, runs: [] };
    const atStep = Math.max(0, ...checkpoint.runs.map((r) => Number(r.state.step) || 0));
    const backendBefore = this.info.name;
    const held = this.heldSteps();
    const steps = [...fresh.ids].reduce((sum, id) => sum + Math.max(0, (held.get(id) ?? 0) - Number(checkpoint.runs.find((r) => r.id === id)?.state.step ?? 0)), 0);
    this.recoveries.push({ reason, failedAt: performance.now(), resumedAt: null });
    fresh.replay = this.replayOf(fresh, held, () => {
      const moved = this.info && this.info.name !== backendBefore ? ` on ${this.info.name} (${backendBefore} could not be had again)` : '';
      const from = atStep > 0 ? `from the checkpoint at step ${atStep.toLocaleString('en-US')}` : 'from step 0 (it had no checkpoint yet)';
      return `${name} ${reason}. A new worker restored ${[...fresh.ids].join(', ')} ${from}${moved} and trains again, replaying the ${steps.toLocaleString('en-US')} steps since: no metric row is lost${attempt > 1 ? ` (attempt ${attempt})` : ''}.`;
    });
    this.send(fresh, { type: 'restore', checkpoint, backend: backendBefore, play: true });
  }

  private heartbeat(): void {
    const now = performance.now();
    for (const slot of [...this.slots]) {
      const verdict = tick(slot, now);
      if (verdict === 'ping') this.send(slot, { type: 'ping', id: now });
      else if (verdict === 'silent') this.fail(slot, `stopped answering for ${Math.round((now - slot.unanswered!) / 1000)} s`);
    }
  }

  update(spec: ExperimentSpec): void {
    if (!this.spec || !this.slots.length) return; // training stopped (recovery gave up): a reload resumes
    // Existing runs stay where they train; a new fork joins its parent, a new family the least loaded worker.
    const roots = familyRoots(spec.runs);
    for (const run of spec.runs) {
      if (this.slotOf(run.id)) continue;
      const family = this.slotOf(roots.get(run.id)!);
      (family ?? this.slots.reduce((a, b) => (load(b) < load(a) ? b : a))).ids.add(run.id);
    }
    const live = new Set(spec.runs.map((r) => r.id));
    for (const slot of this.slots) for (const id of slot.ids) if (!live.has(id)) slot.ids.delete(id);
    for (const id of this.progress.keys()) if (!live.has(id)) this.progress.delete(id);
    this.spec = spec;
    for (const slot of this.slots) this.send(slot, { type: 'update', spec: subSpec(spec, slot.ids) });
  }

  play(): void {
    this.wanted = true;
    this.broadcast({ type: 'play' });
  }

  pause(): void {
    this.wanted = false;
    this.broadcast({ type: 'pause' });
  }

  step(): void {
    this.wanted = false;
    this.broadcast({ type: 'step' });
  }

  reset(): void {
    this.slots.forEach((s) => {
      s.checkpoint = null;
      s.replay = null; // nothing is held any more: every run starts over
    });
    this.broadcast({ type: 'reset' });
  }

  fork(parent: string, id: string, batchSize: number, learningRate: number): void {
    const slot = this.slotOf(parent);
    if (!slot) return reportError(`There is no run "${parent}" to fork.`);
    slot.ids.add(id);
    this.send(slot, { type: 'fork', parent, id, batchSize, learningRate });
  }

  /** "Snapshot now": the worker of the run further down records it; the other run's worker learns the level. */
  snapshot(a: string, b: string): void {
    const [slotA, slotB] = [this.slotOf(a), this.slotOf(b)];
    if (!slotA || !slotB) return reportError(`There is no run "${slotA ? b : a}" to compare.`);
    if (slotA === slotB) return this.send(slotA, { type: 'snapshot', a, b });
    const [pa, pb] = [this.progress.get(a), this.progress.get(b)];
    // The same rule as Trainer.snapshotNow: the run with the lower held-out loss now (a first on a tie).
    const aLeads = (pa?.evalLoss ?? Infinity) <= (pb?.evalLoss ?? Infinity);
    this.send(aLeads ? slotA : slotB, { type: 'snapshot', a, b, elsewhere: aLeads ? pb : pa });
  }

  upload(name: string, bytes: Uint8Array): void {
    this.uploads.set(name, bytes.slice());
    this.broadcast({ type: 'upload', name, bytes: bytes.slice() });
    this.spare?.postMessage({ type: 'upload', name, bytes: bytes.slice() } satisfies ToWorker);
  }

  /** The uploaded files an experiment names (a scout worker needs them too). */
  uploadsFor(spec: ExperimentSpec): [string, Uint8Array][] {
    return assetsFor(spec.task).filter(isUpload).flatMap((name) => (this.uploads.has(name) ? [[name, this.uploads.get(name)!] as [string, Uint8Array]] : []));
  }

  /** Callers of memory() waiting for answers, each with the workers still to answer. */
  private memoryWaits: { due: Set<Slot>; sum: PoolMemory; resolve: (memory: PoolMemory) => void }[] = [];

  /** Every worker's tf.memory(), summed: tensors alive and their bytes (read between chunks of steps). */
  memory(): Promise<PoolMemory> {
    return new Promise((resolve) => {
      const wait = { due: new Set(this.slots), sum: { backend: this.info?.name ?? 'none', numTensors: 0, numBytes: 0, workers: this.slots.length }, resolve };
      if (!wait.due.size) return resolve(wait.sum);
      this.memoryWaits.push(wait);
      this.broadcast({ type: 'memory' });
    });
  }

  /** One worker's answer to memory() (null: it failed, and will not answer). */
  private settleMemory(slot: Slot, memory: { numTensors: number; numBytes: number } | null): void {
    const wait = this.memoryWaits.find((w) => w.due.has(slot));
    if (!wait) return;
    wait.due.delete(slot);
    if (memory) {
      wait.sum.numTensors += memory.numTensors;
      wait.sum.numBytes += memory.numBytes;
    }
    if (wait.due.size) return;
    this.memoryWaits.splice(this.memoryWaits.indexOf(wait), 1);
    wait.resolve(wait.sum);
  }

  /** Test hook (window.sgdLab.failWorker): makes worker `index` fail the way a real one can. */
  failWorker(index: number, how: 'throw' | 'hang' | 'exit'): void {
    const slot = this.slots[index];
    if (slot) this.send(slot, { type: 'fail', how });
  }

  /** Test hook (window.sgdLab.failReplacements): every replacement worker fails too, so recovery gives up. */
  failReplacements: 'throw' | 'hang' | 'exit' | null = null;

  get workerCount(): number {
    return this.slots.length;
  }
}
