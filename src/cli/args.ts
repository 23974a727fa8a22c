/**
 * Command-line parsing and spec resolution for the headless runner. Nothing here loads tfjs, so a bad
 * command line is answered at once. Every problem with the input is a UsageError (exit code 2) whose
 * message is the one the app would show for the same input (decodeLink's error, formatIssues).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { UPLOAD_PREFIX, isUpload, type Assets } from '../engine/data/assets';
import { assetsFor } from '../engine/tasks';
import { parseArgs } from 'node:util';
import { decodeLink } from '../spec/link';
import { PRESETS, findPreset } from '../spec/presets';
import { formatIssues, validateSpec, type ExperimentSpec } from '../spec/schema';
import { BACKENDS, type CliBackend, type Shard } from './types';

/** Backends that compute on the CPU, where each core can train its own runs. */
const CPU_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/**
 * The default number of training threads: one per core the process may use on a CPU backend. A GPU
 * backend is one device that the runs share, where stacking them in one thread is the point: one thread.
 */
const defaultWorkers = (backend: CliBackend): number => (CPU_BACKENDS.includes(backend) ? availableParallelism() : 1);

/** Bad input: printed to stderr without a stack, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run experiment -- [LINK | FILE.json] [options]

Runs an SGD Noise Lab experiment headlessly in Node and writes its metrics as JSON.
With no LINK or FILE it runs the default experiment.

  LINK                 a lab link: a full URL, its fragment (#e=...) or the bare payload
  FILE.json            an experiment spec as JSON (every field optional; a results file's "spec" works too)

Options:
  --preset NAME        run a named preset instead (see --list-presets)
  --steps N            override the budget: N steps per run (a positive whole number)
  --backend NAME       wasm (default), cpu, or webgpu (Dawn in Node: needs the optional package
                       "webgpu" and a Vulkan driver; no adapter exits with code 2)
  --out FILE           write the JSON to FILE instead of stdout
  --workers N          train on N worker threads (default: one per core on wasm and cpu); the numbers
                       do not depend on N
  --shard I/N          train only the I-th of N shares of the runs (1 ≤ I ≤ N; a fork stays with its
                       parent); the file keeps what \`npm run merge\` needs to combine the N shards
  --data FILE.txt      your own text for a text task that names "upload:FILE.txt" (repeatable)
  --link               print the experiment's lab link instead of running it (on VITE_PUBLIC_URL
                       when set, else http://127.0.0.1:5173/)
  --list-presets       print the preset names, one per line
  -h, --help           print this help

Exit codes: 0 success, 2 bad input (message on stderr), 1 unexpected error.`;

export type Command =
  | { kind: 'help' }
  | { kind: 'list-presets' }
  | { kind: 'link'; spec: ExperimentSpec }
  | { kind: 'run'; spec: ExperimentSpec; backend: CliBackend; out: string | null; warnings: string[]; assets: Assets; workers: number; shard: Shard | null };

/** --data files, named as the lab names uploads ("upload:<file name>"); every upload the task names must be given. */
function readDataFiles(files: string[], spec: ExperimentSpec): Assets {
  const assets: Assets = new Map();
  for (const file of files) {
    try {
      assets.set(UPLOAD_PREFIX + basename(file), new Uint8Array(readFileSync(file)));
    } catch (err) {
      throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
    }
  }
  for (const name of assetsFor(spec.task)) {
    if (isUpload(name) && !assets.has(name)) {
      const file = name.slice(UPLOAD_PREFIX.length);
      throw new UsageError(`This experiment trains on your file "${file}", which a link does not carry: give it with --data PATH/${file}.`);
    }
  }
  return assets;
}

function parseSteps(text: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) {
    throw new UsageError(`--steps must be a positive whole number (got "${text}").`);
  }
  return Number(text);
}

/** Refuses an --out path that cannot be written, before any work is done. */
export function checkOut(out: string): void {
  const dir = dirname(resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`Cannot write ${out}: ${dir} is not a directory.`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`Cannot write ${out}: it is a directory.`);
}

function parseWorkers(text: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < 1) throw new UsageError(`--workers must be a positive whole number (got "${text}").`);
  return Number(text);
}

export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(index >= 1 && index <= count)) throw new UsageError(`--shard must be I/N with 1 ≤ I ≤ N, e.g. 1/4 (got "${text}").`);
  return { index, count };
}

function parseBackend(text: string): CliBackend {
  if (!(BACKENDS as readonly string[]).includes(text)) {
    throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')} (got "${text}").`);
  }
  return text as CliBackend;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Fields of `input` that the schema dropped (zod strips unknown keys): the paths present in the input but
 * absent from the parsed spec. A typo such as "budgetStep" would otherwise be ignored without a word.
 */
export function unknownFields(input: unknown, parsed: unknown, path = ''): string[] {
  if (Array.isArray(input) && Array.isArray(parsed)) {
    return input.flatMap((item, i) => unknownFields(item, parsed[i], `${path}${i}.`));
  }
  if (!isPlainObject(input) || !isPlainObject(parsed)) return [];
  return Object.keys(input).flatMap((key) =>
    key in parsed ? unknownFields(input[key], parsed[key], `${path}${key}.`) : [`${path}${key}`],
  );
}

/** Reads a spec file. A results file of this runner (or a saved link state) carries the spec in "spec". */
function readSpecFile(file: string, warnings: string[]): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const input = isPlainObject(json) && isPlainObject(json.spec) ? json.spec : json;
  if (!isPlainObject(input)) throw new UsageError(`${file} must hold a JSON object (an experiment spec).`);
  const result = validateSpec(input);
  if (!result.ok) throw new UsageError(`This experiment is invalid (${file}): ${formatIssues(result.issues)}.`);
  const unknown = unknownFields(input, result.spec);
  if (unknown.length) warnings.push(`note: ${file}: ignored unknown field(s): ${unknown.join(', ')}`);
  return result.spec;
}

function readLink(text: string): ExperimentSpec {
  const decoded = decodeLink(text);
  if (!decoded.ok) throw new UsageError(decoded.error);
  return decoded.state.spec;
}

function presetSpec(name: string): ExperimentSpec {
  const preset = findPreset(name);
  if (!preset) {
    throw new UsageError(`Unknown preset "${name}". Presets: ${PRESETS.map((p) => p.name).join(', ')}.`);
  }
  const result = validateSpec(preset.spec);
  if (!result.ok) throw new Error(`preset ${name} is invalid: ${formatIssues(result.issues)}`);
  return result.spec;
}

/** A positional argument: an existing file is a spec file; anything else is a link. */
function specFromArgument(arg: string, warnings: string[]): ExperimentSpec {
  if (existsSync(arg)) {
    if (statSync(arg).isDirectory()) throw new UsageError(`${arg} is a directory, not a spec file.`);
    return readSpecFile(arg, warnings);
  }
  // A link payload never contains "." (lz-string's URI alphabet is [A-Za-z0-9+$-]), so this was a file name.
  if (/\.json$/i.test(arg)) throw new UsageError(`Cannot read ${arg}: no such file.`);
  return readLink(arg);
}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        steps: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        preset: { type: 'string' },
        'list-presets': { type: 'boolean' },
        link: { type: 'boolean' },
        data: { type: 'string', multiple: true },
        workers: { type: 'string' },
        shard: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nRun with --help for usage.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values['list-presets']) return { kind: 'list-presets' };
  if (positionals.length > 1) {
    throw new UsageError(`Expected at most one LINK or FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  }
  if (positionals.length && values.preset !== undefined) {
    throw new UsageError('Give either a LINK/FILE or --preset, not both.');
  }

  // Validate the options before reading the spec, so the cheap mistakes are reported first.
  const steps = values.steps === undefined ? undefined : parseSteps(values.steps);
  const backend = values.backend === undefined ? 'wasm' : parseBackend(values.backend);
  const workers = values.workers === undefined ? defaultWorkers(backend) : parseWorkers(values.workers);
  const shard = values.shard === undefined ? null : parseShard(values.shard);
  const out = values.out === undefined ? null : values.out;
  if (out !== null) checkOut(out);

  const warnings: string[] = [];
  let spec: ExperimentSpec =
    values.preset !== undefined
      ? presetSpec(values.preset)
      : positionals.length
        ? specFromArgument(positionals[0], warnings)
        : defaultExperiment();
  if (steps !== undefined) {
    // Re-validate: a shorter budget can break a rule that spans fields (warmup must end before the budget).
    const result = validateSpec({ ...spec, budgetSteps: steps });
    if (!result.ok) throw new UsageError(`With --steps ${steps} the experiment is invalid: ${formatIssues(result.issues)}.`);
    spec = result.spec;
  }

  if (values.link) return { kind: 'link', spec };
  return { kind: 'run', spec, backend, out, warnings, assets: readDataFiles(values.data ?? [], spec), workers, shard };
}

function defaultExperiment(): ExperimentSpec {
  const result = validateSpec({});
  if (!result.ok) throw new Error(`the default experiment is invalid: ${formatIssues(result.issues)}`);
  return result.spec;
}
