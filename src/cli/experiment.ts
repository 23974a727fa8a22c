/**
 * The headless experiment runner: `npm run experiment -- [LINK|FILE.json] [options]` (see USAGE).
 * Results go to stdout (or --out) as JSON; everything else — progress, notes, errors — goes to stderr,
 * so stdout can be piped straight into a JSON tool.
 */
import { writeFileSync } from 'node:fs';
import { defaultView } from '../spec/view';
import { linkUrl } from '../spec/link';
import { PRESETS } from '../spec/presets';
import type { RunProgress } from '../engine/trainer';
import { USAGE, UsageError, parseCommand } from './args';

/** The address links are made for: the dev server of `npm start`. */
export const LINK_BASE = 'http://127.0.0.1:5173/';

/**
 * Keeps stdout for the JSON alone: tfjs (and anything else) logging with console.log would otherwise
 * corrupt it, so console.log goes to stderr. tfjs's "Hi, looks like you are running TensorFlow.js in
 * Node.js" banner (console.warn, i.e. stderr already, on the cpu backend's first use) is dropped: the
 * runner knows, and tfjs-node is not an option here.
 */
function guardStdout(): void {
  console.log = (...args: unknown[]) => console.error(...args);
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('looks like you are running TensorFlow.js in Node.js')) return;
    warn(...args);
  };
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
      process.stdout.write(`${linkUrl(LINK_BASE, { spec: command.spec, view: defaultView(), autorun: false })}\n`);
      return 0;
    case 'run':
      break;
  }

  const { spec, out } = command;
  command.warnings.forEach((w) => console.error(w));
  guardStdout();
  // Loaded only now, so that usage errors are answered without loading tfjs.
  const { initBackend, runExperiment, formatResult } = await import('./run');
  const backend = await initBackend(command.backend, (msg) => console.error(msg));
  const runs = spec.runs.length;
  console.error(`Training ${runs} run${runs === 1 ? '' : 's'} × ${spec.budgetSteps} steps on the ${backend} backend…`);

  let lastReport = 0;
  const started = performance.now();
  const result = await runExperiment(spec, {
    backend,
    assets: command.assets,
    onProgress: (progress, elapsedMs) => {
      if (elapsedMs - lastReport < 1000) return;
      lastReport = elapsedMs;
      console.error(progressLine(progress, spec.budgetSteps, elapsedMs));
    },
  });

  const statuses = result.runs.map((r) => `${r.id} ${r.status}`).join(', ');
  console.error(`Done in ${seconds(performance.now() - started)}: ${statuses}.`);
  for (const run of result.runs) if (run.reason) console.error(`  ${run.id}: ${run.reason}`);

  const json = formatResult(result);
  if (out !== null) {
    writeFileSync(out, json);
    console.error(`Wrote ${out}`);
  } else {
    process.stdout.write(json);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exitCode = 2;
    } else {
      console.error('Unexpected error:', err);
      process.exitCode = 1;
    }
  },
);
