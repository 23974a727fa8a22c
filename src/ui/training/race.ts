/**
 * *auto*, chosen by measuring. A hardware WebGPU adapter is not assumed to be faster: after the first step
 * of an experiment, a scout worker trains a few steps of that experiment on each backend that passes the
 * self-test (worker/race.ts) within RACE_BUDGET_MS in all, and the fastest measured one wins (the one
 * already training keeps its place when within SWITCH_MARGIN of it).
 *
 * The trade-off with time to first step, and why it is resolved this way:
 *   - The race never delays the first step: training starts at once on the usual guess (a hardware WebGPU
 *     adapter, else wasm) and the scout starts only when the first rows arrive, in its own worker (it
 *     loads tfjs there too, so it would contend with the first step on a 2-core machine).
 *   - Each candidate is time-capped (a share of the budget), cheap CPU backends are measured first, and
 *     the page terminates the scout when the budget (plus a margin) is spent, because a GPU backend's
 *     first step compiles its kernels and may block a worker for seconds (WebGPU on SwiftShader: ~10 s).
 *     Candidates cut off that way are listed as not measured, with why.
 *   - When the winner is not the backend already training, the experiment restarts on it from step 0
 *     (after a second or two of training) rather than moving the runs mid-way: a run then trains on one
 *     backend from start to end, so it matches a replay of its link on that backend. It must win by 20 %
 *     (SWITCH_MARGIN), and a paused experiment is never restarted: the winner is used next time.
 *   - The outcome is kept per device and experiment shape (task, model, optimizer, batch sizes, run count)
 *     for a week, so the next time the same kind of experiment opens on this device auto starts right
 *     on the winner and races nothing.
 */
import type { ExperimentSpec } from '../../spec/schema';
import type { BackendChoice, BackendInfo, BackendName, FromWorker, ToWorker } from '../../worker/protocol';
import { useRuns } from '../stores/runs';
import { spawnWorker, type Pool } from './pool';
import { addPoolNotice } from './status';

export const RACE_BUDGET_MS = 1500;
/** The scout is terminated this long after its budget, whatever it is doing. */
const KILL_MARGIN_MS = 1500;
/** CPU backends first: they cannot block and take ~0.3 s each; GPU ones get what is left. */
const CANDIDATES: BackendName[] = ['wasm', 'cpu', 'webgpu', 'webgl'];
const CACHE_KEY = 'sgd-lab:backend-race';
const CACHE_MS = 7 * 24 * 3600 * 1000;

export interface Rate {
  backend: BackendName;
  samplesPerSecond: number | null;
  note: string;
}

interface Outcome {
  winner: BackendName;
  rates: Rate[];
  at: number;
}

/** What decides the race: this device, and the experiment's shape (not its learning rates or seeds). */
export function raceKey(spec: ExperimentSpec): string {
  const batches = [...new Set(spec.runs.map((r) => r.batchSize))].sort((a, b) => a - b);
  const shape = { task: spec.task, model: spec.model, optimizer: spec.optimizer.kind, batches, runs: spec.runs.length, noise: spec.noise.enabled };
  return `${navigator.userAgent}|${navigator.hardwareConcurrency}|${JSON.stringify(shape)}`;
}

function readCache(): Record<string, Outcome> {
  try {
    return JSON.parse(localStorage.getItem(CACHE_KEY) ?? '{}') as Record<string, Outcome>;
  } catch {
    return {};
  }
}

function cached(spec: ExperimentSpec): Outcome | null {
  const outcome = readCache()[raceKey(spec)];
  return outcome && Date.now() - outcome.at < CACHE_MS ? outcome : null;
}

function remember(spec: ExperimentSpec, outcome: Outcome): void {
  try {
    const all = readCache();
    for (const [key, o] of Object.entries(all)) if (Date.now() - o.at >= CACHE_MS) delete all[key];
    localStorage.setItem(CACHE_KEY, JSON.stringify({ ...all, [raceKey(spec)]: outcome }));
  } catch {
    /* storage blocked or full: the race runs again next time */
  }
}

/**
 * Another backend must beat the one already training by this much to replace it: two measurements of
 * ~0.2 s each on a busy machine differ by 10–20 % between runs, and a switch restarts the runs.
 */
const SWITCH_MARGIN = 1.2;

/** The fastest measured backend, unless the one training now was measured within SWITCH_MARGIN of it. */
export function clearWinner(rates: readonly Rate[], current: BackendName | null): BackendName | null {
  const measured = rates.filter((r) => r.samplesPerSecond !== null);
  if (!measured.length) return null;
  const best = measured.reduce((a, b) => (b.samplesPerSecond! > a.samplesPerSecond! ? b : a));
  const incumbent = measured.find((r) => r.backend === current);
  return incumbent && incumbent.samplesPerSecond! * SWITCH_MARGIN >= best.samplesPerSecond! ? incumbent.backend : best.backend;
}

function rateLine(rate: Rate, winner: BackendName | null, when: string): string {
  const figure = rate.samplesPerSecond === null ? rate.note : `${Math.round(rate.samplesPerSecond).toLocaleString('en-US')} samples/s${rate.note ? ` ${rate.note}` : ''}`;
  return `${rate.backend}: ${figure}${rate.backend === winner ? ` (chosen, ${when})` : ''}`;
}

/** The scout: measures `spec` on every candidate; resolves with whatever it measured by the deadline. */
function runScout(spec: ExperimentSpec, uploads: [string, Uint8Array][]): Promise<Rate[]> {
  return new Promise((resolve) => {
    const scout = spawnWorker();
    const rates = new Map<BackendName, Rate>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      clearTimeout(timer);
      scout.terminate();
      resolve(CANDIDATES.map((backend) => rates.get(backend) ?? { backend, samplesPerSecond: null, note: `not measured: the race's ${RACE_BUDGET_MS} ms were spent` }));
    };
    scout.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      // The budget runs from the scout's first word (tfjs loaded), not from its creation.
      if (timer === undefined) timer = setTimeout(finish, RACE_BUDGET_MS + KILL_MARGIN_MS);
      if (message.type === 'rate') rates.set(message.backend, { backend: message.backend, samplesPerSecond: message.samplesPerSecond, note: message.note });
      else if (message.type === 'raceDone' || message.type === 'error') finish();
    };
    scout.onerror = finish;
    for (const [name, bytes] of uploads) scout.postMessage({ type: 'upload', name, bytes: bytes.slice() } satisfies ToWorker);
    scout.postMessage({ type: 'ping', id: 0 } satisfies ToWorker);
    scout.postMessage({ type: 'race', spec, candidates: CANDIDATES, budgetMs: RACE_BUDGET_MS } satisfies ToWorker);
  });
}

/** Wires the race into the pool: auto picks a remembered winner, and races after the first rows otherwise. */
export function startRace(pool: Pool): void {
  let shown: { rates: Rate[]; winner: BackendName | null; when: string } | null = null;
  pool.pick = (spec: ExperimentSpec, choice: BackendChoice) => {
    if (choice !== 'auto') {
      shown = null;
      return choice;
    }
    const outcome = cached(spec);
    shown = outcome && { rates: outcome.rates, winner: outcome.winner, when: `measured ${new Date(outcome.at).toLocaleDateString('en-US')}` };
    return outcome?.winner ?? 'auto';
  };
  pool.describe = (info: BackendInfo) =>
    info.requested === 'auto' && shown ? { ...info, notices: [...shown.rates.map((r) => rateLine(r, shown!.winner, shown!.when)), ...info.notices] } : info;
  pool.firstRowsListeners.add(() => {
    const spec = pool.experiment;
    if (!spec || pool.requested !== 'auto' || cached(spec)) return;
    const load = pool.loads;
    void runScout(spec, pool.uploadsFor(spec)).then((rates) => {
      const winner = clearWinner(rates, pool.backend?.name ?? null);
      if (winner) remember(spec, { winner, rates, at: Date.now() });
      if (pool.loads !== load) return; // another experiment or backend since: the outcome waits for next time
      shown = { rates, winner, when: 'measured now' };
      const current = pool.backend;
      // A paused experiment (stepped, or opened from a link) is not restarted under the person's hands:
      // the winner is remembered and used the next time this kind of experiment opens.
      if (winner && current && current.name !== winner && pool.experiment && pool.playingWanted) {
        addPoolNotice(`auto measured this experiment on each backend and ${winner} was fastest by over ${Math.round((SWITCH_MARGIN - 1) * 100)} %; the runs restarted on it (${current.name} trained them first).`);
        pool.load(pool.experiment, 'auto', pool.playingWanted);
      } else if (current) {
        useRuns.setState({ backend: pool.describe({ ...current, requested: 'auto' }) });
      }
    });
  });
}
