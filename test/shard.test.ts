/**
 * Shards and their merge, on the cpu backend: the shards of an experiment, trained apart and merged, give
 * exactly the whole experiment's results file (comparisons included), in any order and for any number of
 * shards; shards that do not fit together are refused with every reason, naming the files; and the lab
 * imports the merged file like any results file.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleResult, formatResult, type ExperimentResult, type TrainedShare } from '../src/cli/result';
import { runExperiment, trainRuns } from '../src/cli/run';
import { MergeError, mergeShards, shardResult, shardRuns } from '../src/cli/shard';
import type { Shard } from '../src/cli/types';
import { ExperimentSpec } from '../src/spec/schema';
import { parseImport } from '../src/ui/export/formats';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';
import { SMALL_SWEEP, runnerCommand, withoutTimings } from './helpers/results';

onCpuBackendWithoutLeaks();

const spec = ExperimentSpec.parse(SMALL_SWEEP);
const ids = spec.runs.map((r) => r.id);
const cpu = { backend: 'cpu' as const, chunkSteps: 7 };

/** The shard files of `spec` split in n, built from one training of every run (a run's numbers do not depend on its shard). */
function shardFiles(whole: TrainedShare, n: number, experiment = spec): { name: string; text: string }[] {
  return Array.from({ length: n }, (_, i) => {
    const shard: Shard = { index: i + 1, count: n };
    const mine = new Set(shardRuns(experiment, shard));
    const text = formatResult(shardResult(experiment, shard, [{ ...whole, runs: whole.runs.filter((r) => mine.has(r.id)) }]));
    return { name: `part-${i + 1}-of-${n}.json`, text };
  });
}

function refusal(files: { name: string; text: string }[]): string {
  try {
    mergeShards(files);
  } catch (err) {
    expect(err).toBeInstanceOf(MergeError);
    return (err as Error).message;
  }
  throw new Error('the merge was expected to be refused');
}

let whole: TrainedShare;
let expected: ExperimentResult;

beforeAll(async () => {
  whole = await trainRuns(spec, ids, cpu);
  expected = assembleResult(spec, [whole]);
});

describe('shards and merge', () => {
  it('shards trained apart and merged equal the experiment run whole, comparisons included', async () => {
    const direct = await runExperiment(spec, cpu);
    expect(direct.comparisons.map((c) => c.tv)).toEqual([expect.any(Number), expect.any(Number)]);
    for (const n of [2, 3]) {
      const files = [];
      for (let i = 1; i <= n; i++) {
        const shard = { index: i, count: n };
        const share = await trainRuns(spec, shardRuns(spec, shard), cpu);
        files.push({ name: `s${i}.json`, text: formatResult(shardResult(spec, shard, [share])) });
      }
      expect(withoutTimings(mergeShards(files))).toEqual(withoutTimings(direct));
    }
  });

  it('any number of shards, given in any order, merges to the whole file', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }))),
        ([n, order]) => {
          const files = shardFiles(whole, n);
          expect(mergeShards(order.map((i) => files[i]))).toEqual(JSON.parse(formatResult(expected)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a shard file says which shard of which experiment it is, and keeps the ladder outputs', () => {
    const [first] = shardFiles(whole, 2);
    const file = JSON.parse(first.text);
    expect(file.shard).toMatchObject({ format: 1, index: 1, count: 2, spec: expect.stringMatching(/^[0-9a-f]{16}$/), version: expect.any(String), runs: shardRuns(spec, { index: 1, count: 2 }) });
    expect(file).not.toHaveProperty('comparisons');
    const point = file.runs[0].ladder[0];
    expect(point.outputs.length).toBeGreaterThan(0);
    expect(Float32Array.from(point.outputs)).toEqual(whole.runs.find((r) => r.id === file.runs[0].id)!.ladder[0].outputs);
  });

  it('refuses missing, duplicate and mixed splits, naming the files', () => {
    const files = shardFiles(whole, 3);
    expect(refusal([files[0], files[2]])).toBe('Shard 2/3 is missing (given: part-1-of-3.json = 1/3, part-3-of-3.json = 3/3).');
    expect(refusal([files[0], files[1], files[2], { ...files[1], name: 'copy.json' }])).toBe('part-2-of-3.json and copy.json are all shard 2/3: give each shard once.');
    const halves = shardFiles(whole, 2);
    expect(refusal([files[0], halves[1]])).toBe('part-2-of-2.json (shard 2/2) and part-1-of-3.json (shard 1/3) split the experiment into different numbers of shards.');
  });

  it('refuses shards of another experiment, version or backend, and files that are not shards', () => {
    const files = shardFiles(whole, 2);
    const other = ExperimentSpec.parse({ ...spec, budgetSteps: 41 });
    const [foreign] = shardFiles(whole, 2, other).slice(1);
    expect(refusal([files[0], foreign])).toMatch(/^part-2-of-2\.json is a shard of another experiment \([0-9a-f]{16}\) than part-1-of-2\.json \([0-9a-f]{16}\)\.$/);

    const edit = (text: string, change: (file: Record<string, Record<string, unknown>>) => void) => {
      const file = JSON.parse(text);
      change(file);
      return JSON.stringify(file);
    };
    const older = { name: 'old.json', text: edit(files[1].text, (f) => (f.shard.version = '0.0.1')) };
    expect(refusal([files[0], older])).toMatch(/^old\.json was written by version 0\.0\.1.* of the lab, part-1-of-2\.json by .*: their numbers may differ\.$/);
    const wasm = { name: 'wasm.json', text: edit(files[1].text, (f) => ((f as Record<string, unknown>).backend = 'wasm')) };
    expect(refusal([files[0], wasm])).toBe('wasm.json trained on wasm, part-1-of-2.json on cpu: numbers from different backends differ.');
    const damaged = { name: 'damaged.json', text: edit(files[1].text, (f) => (f.spec.budgetSteps = 39)) };
    expect(refusal([files[0], damaged])).toMatch(/^damaged\.json is damaged: its experiment does not match/);

    const results = { name: 'results.json', text: formatResult(expected) };
    const notJson = { name: 'notes.txt', text: 'hello' };
    // Every reason at once, each naming its file.
    expect(refusal([results, notJson]).split('\n')).toEqual([
      'results.json is not a shard: it has no "shard" field (write shards with --shard i/n; a whole experiment\'s results need no merging).',
      'notes.txt is not JSON.',
    ]);
  });

  it('the lab imports the merged file like any results file', () => {
    const merged = mergeShards(shardFiles(whole, 3));
    const imported = parseImport(formatResult(merged), 'all.json');
    if (!imported.ok) throw new Error(imported.error);
    expect(imported.results.source).toBe('runner');
    expect(imported.results.spec).toEqual(spec);
    expect(imported.results.runs.map((r) => r.id)).toEqual(ids);
    expect(imported.results.runs.find((r) => r.id === 'a-fork')!.fork).toEqual({ parent: 'a', atStep: 10 });
    expect(imported.results.runs[0].rows).toEqual(merged.runs[0].metrics);
  });
});

describe('npm run merge', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sgd-merge-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with the reason when a shard is missing, and merges when all are given', async () => {
    const paths = shardFiles(whole, 2).map((f) => {
      const path = join(dir, f.name);
      writeFileSync(path, f.text);
      return path;
    });
    const refused = await runnerCommand('merge', [paths[1]]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trim()).toBe(`Shard 1/2 is missing (given: ${paths[1]} = 2/2).`);
    const merged = await runnerCommand('merge', [paths[1], paths[0]]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout)).toEqual(JSON.parse(formatResult(expected)));
  });
});
