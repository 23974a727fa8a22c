/**
 * The runner's worker threads in the benchmark: a 16-run sweep (4 batch sizes × 2 learning rates × 2 seeds,
 * a small MLP on the default teacher–student task, wasm) trained through the runner's own path (pool.ts)
 * with 1, 2, … threads up to the core count. Reports samples per second over the whole wall time (thread
 * start-up included), the ratio of each count to one thread measured in the same run, and whether every
 * metric row, ladder point and comparison came out identical. Run alone with `tsx bench/workers.ts
 * [--steps N] [--rounds R]`, or as part of `npm run bench`.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { trainShares } from '../src/cli/pool';
import { assembleResult, type ExperimentResult } from '../src/cli/result';
import { ExperimentSpec } from '../src/spec/schema';

const BATCHES = [8, 32, 128, 512];
const RATES = [0.05, 0.1];
const SEEDS = [1, 2];

function sweep(steps: number): ExperimentSpec {
  const runs = BATCHES.flatMap((b) => RATES.flatMap((lr) => SEEDS.map((seed) => ({ id: `b${b}-lr${String(lr).replace(".", "p")}-s${seed}`, batchSize: b, learningRate: lr, seed }))));
  return ExperimentSpec.parse({ model: { width: 32, depth: 2 }, budgetSteps: steps, evalEvery: 50, runs });
}

/** Everything but the wall-clock fields, as text: equal texts mean identical numbers. */
const numbers = (r: ExperimentResult) =>
  JSON.stringify({ ...r, runs: r.runs.map((run) => ({ ...run, wallMs: 0, samplesPerSecond: 0, metrics: run.metrics.map((row) => ({ ...row, wallMs: 0 })) })) });

/**
 * Each thread count `rounds` times, the counts alternating (1, 2, …, 1, 2, …) so that load from other work on
 * a shared machine falls on all of them alike; the best round of each count is its figure. CPU seconds are
 * the whole process's (all its threads): `coresUsed` well below the thread count means other work had the
 * cores, and samples per CPU-second say what the threads cost (their start-up) apart from the load.
 */
export async function measureWorkerSweep(steps = 600, rounds = 2) {
  const spec = sweep(steps);
  const counts = Array.from({ length: availableParallelism() }, (_, i) => i + 1);
  const measured: { round: number; workers: number; seconds: number; cpuSeconds: number; coresUsed: number; samplesPerSecond: number; samplesPerCpuSecond: number }[] = [];
  const texts = new Set<string>();
  for (let round = 1; round <= rounds; round++) {
    for (const workers of counts) {
      process.stderr.write(`round ${round}: training the 16-run sweep with ${workers} worker${workers === 1 ? '' : 's'}…\n`);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const result = assembleResult(spec, await trainShares(spec, spec.runs.map((r) => r.id), { workers, backend: 'wasm', assets: new Map() }));
      const seconds = (performance.now() - t0) / 1000;
      const usage = process.cpuUsage(cpu0);
      const cpuSeconds = (usage.user + usage.system) / 1e6;
      const samples = result.runs.reduce((sum, run) => sum + run.samples, 0);
      texts.add(numbers(result));
      measured.push({
        round,
        workers,
        seconds: Number(seconds.toFixed(2)),
        cpuSeconds: Number(cpuSeconds.toFixed(2)),
        coresUsed: Number((cpuSeconds / seconds).toFixed(2)),
        samplesPerSecond: Math.round(samples / seconds),
        samplesPerCpuSecond: Math.round(samples / cpuSeconds),
      });
    }
  }
  const best = (workers: number) => Math.max(...measured.filter((m) => m.workers === workers).map((m) => m.samplesPerSecond));
  return {
    sweep: `16 runs (B = ${BATCHES.join(', ')} × lr ${RATES.join(', ')} × seeds ${SEEDS.join(', ')}), MLP 16-32-32-4, ${steps} steps, noise estimator on, wasm, through the runner (thread start-up included)`,
    cores: availableParallelism(),
    loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
    runs: measured,
    bestSamplesPerSecond: Object.fromEntries(counts.map((w) => [w, best(w)])),
    ratioToOneWorker: Object.fromEntries(counts.map((w) => [w, Number((best(w) / best(1)).toFixed(2))])),
    metricsIdentical: texts.size === 1,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { steps: { type: 'string', default: '600' }, rounds: { type: 'string', default: '2' } } });
  console.log(JSON.stringify(await measureWorkerSweep(Number(values.steps), Number(values.rounds)), null, 2));
}
