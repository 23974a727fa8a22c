/**
 * Sweeps split over a cluster: `--shard i/n` trains the i-th of n shares of the runs (partition.ts: a fork
 * travels with its family; the split depends only on the spec and n, so every node agrees on it), and its
 * results file keeps what the comparisons need — each ladder point's outputs on the probe examples — and
 * says which shard of which experiment it is. `npm run merge` checks that the shards are exactly the n
 * shares of one experiment from one version of the lab, and assembles the file the whole run would have
 * written, comparisons included. No tfjs here.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { partitionRuns } from '../engine/partition';
import { formatIssues, validateSpec, type ExperimentSpec } from '../spec/schema';
import { assembleResult, combineShares, type ExperimentResult, type ProbeShape, type RunResult, type TrainedShare } from './result';
import { BACKENDS, type Shard } from './types';

/** Raised to the shard file's format when what it holds changes. */
export const SHARD_FORMAT = 1;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Which lab wrote a file: its package version and, in a git checkout, its commit (shards of different code differ). */
function labVersion(): { version: string; commit: string | null } {
  const { version } = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string };
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    // Not a git checkout (a copied or packed tree): the package version alone says which lab it is.
  }
  return { version, commit };
}

/** JSON with every object's keys sorted, so equal specs hash alike whatever order their fields came in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A short fingerprint of the experiment (of its validated spec, defaults filled in). */
export function specHash(spec: ExperimentSpec): string {
  return createHash('sha256').update(canonical(spec)).digest('hex').slice(0, 16);
}

/** The run ids shard `shard` trains. */
export function shardRuns(spec: ExperimentSpec, shard: Shard): string[] {
  return partitionRuns(spec, shard.count)[shard.index - 1];
}

const LadderPointOut = z.object({ level: z.number(), step: z.number(), samples: z.number(), evalLoss: z.number(), outputs: z.array(z.number()) });
type ShardLadder = z.infer<typeof LadderPointOut>;

const ShardInfo = z.object({
  format: z.number().int(),
  index: z.number().int(),
  count: z.number().int(),
  /** specHash of the experiment this is a share of. */
  spec: z.string(),
  version: z.string(),
  commit: z.string().nullable(),
  /** The runs this shard trained (shardRuns). */
  runs: z.array(z.string()),
  /** How the ladder outputs are read, for the comparisons. */
  probe: z.object({
    shape: z.object({ loss: z.enum(['mse', 'xent']), classes: z.number(), positions: z.number() }),
    targetRms: z.number().nullable(),
  }),
});
export type ShardInfo = z.infer<typeof ShardInfo>;

/** A shard's results file: a results file of its runs, without comparisons, with ladder outputs and `shard`. */
export interface ShardResult extends Omit<ExperimentResult, 'runs' | 'comparisons' | 'groups' | 'verdicts'> {
  runs: RunResult<ShardLadder>[];
  shard: ShardInfo;
}

const ShardFile = z.looseObject({
  spec: z.unknown(),
  backend: z.enum(BACKENDS),
  lossFloor: z.number().nullable(),
  ladderLevels: z.array(z.number()),
  runs: z.array(z.looseObject({ id: z.string(), ladder: z.array(LadderPointOut), metrics: z.array(z.looseObject({ step: z.number() })) })),
  shard: ShardInfo,
});

/** The results file of shard `shard` from what its threads trained. */
export function shardResult(spec: ExperimentSpec, shard: Shard, shares: readonly TrainedShare[]): ShardResult {
  const { backend, lossFloor, ladderLevels, probe, runs } = combineShares(spec, shares);
  return {
    spec,
    backend,
    lossFloor,
    ladderLevels,
    runs: runs.map((run) => ({ ...run, ladder: run.ladder.map((p) => ({ ...p, outputs: Array.from(p.outputs) })) })),
    shard: { format: SHARD_FORMAT, ...shard, spec: specHash(spec), ...labVersion(), runs: runs.map((r) => r.id), probe: probe satisfies ProbeShape },
  };
}

/** Shards that cannot be merged: every reason, each naming its files. */
export class MergeError extends Error {
  override name = 'MergeError';
}

interface Loaded {
  name: string;
  spec: ExperimentSpec;
  file: z.infer<typeof ShardFile>;
}

/** Reads one shard file, or says what is wrong with it. */
function load(name: string, text: string): Loaded | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${name} is not JSON.`;
  }
  const obj = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  if (!('shard' in obj)) return `${name} is not a shard: it has no "shard" field (write shards with --shard i/n; a whole experiment's results need no merging).`;
  const format = (obj.shard as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > SHARD_FORMAT) return `${name} was written by a newer version of the lab (shard format ${format}; this one reads up to ${SHARD_FORMAT}).`;
  const parsed = ShardFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message }));
    return `${name} is not a valid shard file (${formatIssues(issues)}).`;
  }
  const spec = validateSpec(parsed.data.spec);
  if (!spec.ok) return `${name} holds an invalid experiment: ${formatIssues(spec.issues.slice(0, 3))}.`;
  const { shard } = parsed.data;
  if (specHash(spec.spec) !== shard.spec) return `${name} is damaged: its experiment does not match the fingerprint it was written with (${shard.spec}).`;
  if (!(shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count)) return `${name} names an impossible shard ${shard.index}/${shard.count}.`;
  const expected = shardRuns(spec.spec, shard);
  const held = parsed.data.runs.map((r) => r.id);
  if (JSON.stringify(expected) !== JSON.stringify(shard.runs) || JSON.stringify(expected) !== JSON.stringify(held)) {
    return `${name} is damaged: shard ${shard.index}/${shard.count} of this experiment trains ${expected.join(', ') || 'no runs'}, but it holds ${held.join(', ') || 'none'}.`;
  }
  // The file as written (zod's copy would reorder fields), now that it is known to fit the schema.
  return { name, spec: spec.spec, file: json as z.infer<typeof ShardFile> };
}

const describe = (l: Loaded) => `${l.name} (shard ${l.file.shard.index}/${l.file.shard.count})`;
const versionOf = (l: Loaded) => `${l.file.shard.version}${l.file.shard.commit ? ` at commit ${l.file.shard.commit.slice(0, 12)}` : ''}`;

/**
 * The whole experiment's results file from its shards' files, or a MergeError listing every reason they
 * do not fit together: a file that is not a shard or is damaged, shards of another experiment, version or
 * split (foreign), two files of the same shard (duplicate), shards not given (missing).
 */
export function mergeShards(files: readonly { name: string; text: string }[]): ExperimentResult {
  if (!files.length) throw new MergeError('Give the shard files to merge.');
  const loaded = files.map((f) => load(f.name, f.text));
  const problems = loaded.filter((l): l is string => typeof l === 'string');
  if (problems.length) throw new MergeError(problems.join('\n'));
  const shards = loaded as Loaded[];
  const [first] = shards;
  for (const other of shards.slice(1)) {
    const a = first.file.shard;
    const b = other.file.shard;
    if (a.spec !== b.spec) problems.push(`${other.name} is a shard of another experiment (${b.spec}) than ${first.name} (${a.spec}).`);
    else if (a.count !== b.count) problems.push(`${describe(other)} and ${describe(first)} split the experiment into different numbers of shards.`);
    if (a.version !== b.version || (a.commit && b.commit && a.commit !== b.commit)) {
      problems.push(`${other.name} was written by version ${versionOf(other)} of the lab, ${first.name} by ${versionOf(first)}: their numbers may differ.`);
    }
    if (other.file.backend !== first.file.backend) problems.push(`${other.name} trained on ${other.file.backend}, ${first.name} on ${first.file.backend}: numbers from different backends differ.`);
  }
  if (problems.length) throw new MergeError(problems.join('\n'));
  const count = first.file.shard.count;
  const byIndex = new Map<number, Loaded[]>();
  for (const s of shards) byIndex.set(s.file.shard.index, [...(byIndex.get(s.file.shard.index) ?? []), s]);
  for (const [index, same] of byIndex) {
    if (same.length > 1) problems.push(`${same.map((s) => s.name).join(' and ')} are all shard ${index}/${count}: give each shard once.`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length) {
    const given = shards.map((s) => `${s.name} = ${s.file.shard.index}/${count}`).join(', ');
    problems.push(`${missing.length === 1 ? 'Shard' : 'Shards'} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (given: ${given}).`);
  }
  if (problems.length) throw new MergeError(problems.join('\n'));
  const shares: TrainedShare[] = shards.map(({ file }) => ({
    backend: file.backend,
    lossFloor: file.lossFloor,
    ladderLevels: file.ladderLevels,
    probe: file.shard.probe,
    runs: (file.runs as unknown as RunResult<ShardLadder>[]).map((run) => ({ ...run, ladder: run.ladder.map((p) => ({ ...p, outputs: Float32Array.from(p.outputs) })) })),
  }));
  return assembleResult(first.spec, shares);
}
