/**
 * The headless experiment runner: `npm run experiment -- [LINK|FILE.json] [options]` (see USAGE).
 * Results go to stdout (or --out) as JSON; everything else — progress, notes, errors — goes to stderr,
 * so stdout can be piped straight into a JSON tool.
 */
import { defaultView } from '../spec/view';
import { linkUrl } from '../spec/link';
import { checkPublicUrl } from '../spec/publicUrl';
import { PRESETS } from '../spec/presets';
import type { RunProgress } from '../engine/trainer';
import { USAGE, UsageError, parseCommand } from './args';
import { threadShares, trainShares } from './pool';
import { assembleResult, formatResult } from './result';
import { shardResult, shardRuns } from './shard';
import { exitWith, guardStdout, writeJson } from './stdio';

/**
 * The address links are made for: the hosted lab's when VITE_PUBLIC_URL names one (as for the build), else
 * the dev server of `npm start`.
 */
function linkBase(): string {
  try {
    return checkPublicUrl(process.env.VITE_PUBLIC_URL) ?? 'http://127.0.0.1:5173/';
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function progressLine(progress: RunProgress[], budget: number, elapsedMs: number): string {
  const running = progress.filter((p) => p.status === 'running');
  const step = Math.min(...(running.length ? running : progress).map((p) => p.step));
  const losses = progress
    .slice(0, 6)
    .map((p) => `${p.id} ${p.evalLoss === null ? '–' : p.evalLoss.toPrecision(4)}`)
    .join(', ');
  const more = progress.length > 6 ? ', …' : '';
  return `${seconds(elapsedMs)}  step ${step}/${budget} (${Math.floor((100 * step) / budget)}%)  eval loss: ${losses}${more}`;
}

async function main(argv: string[]): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'list-presets':
      process.stdout.write(PRESETS.map((p) => `${p.name}\n`).join(''));
      return 0;
    case 'link':
      process.stdout.write(`${linkUrl(linkBase(), { spec: command.spec, view: defaultView(), autorun: false })}\n`);
      return 0;
    case 'run':
      break;
  }

  const { spec, out, shard } = command;
  command.warnings.forEach((w) => console.error(w));
  guardStdout();
  const runIds = shard ? shardRuns(spec, shard) : spec.runs.map((r) => r.id);
  const threads = threadShares(spec, runIds, command.workers).length;
  const runs = `${runIds.length} run${runIds.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count} of ${spec.runs.length})` : ''}`;
  const where = threads > 1 ? `${threads} worker threads` : 'one thread';
  console.error(`Training ${runs} × ${spec.budgetSteps} steps on the ${command.backend} backend, ${where}…`);

  let lastReport = 0;
  const started = performance.now();
  const shares = await trainShares(spec, runIds, {
    workers: command.workers,
    backend: command.backend,
    assets: command.assets,
    note: (message) => console.error(message),
    onProgress: (progress, elapsedMs) => {
      if (elapsedMs - lastReport < 1000) return;
      lastReport = elapsedMs;
      console.error(progressLine(progress, spec.budgetSteps, elapsedMs));
    },
  });
  const result = shard ? shardResult(spec, shard, shares) : assembleResult(spec, shares);

  const statuses = result.runs.map((r) => `${r.id} ${r.status}`).join(', ');
  console.error(`Done in ${seconds(performance.now() - started)} on ${result.backend}: ${statuses || 'no runs in this shard'}.`);
  for (const run of result.runs) if (run.reason) console.error(`  ${run.id}: ${run.reason}`);
  writeJson(formatResult(result), out);
  return 0;
}

exitWith(main(process.argv.slice(2)), (err) => err instanceof UsageError);
