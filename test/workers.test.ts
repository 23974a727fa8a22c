/**
 * `--workers N` through the runner as `npm run experiment` starts it (tsx, whose loader worker threads do
 * not inherit): each run's numbers — every metric row, ladder point and comparison — are the same with
 * 1, 2 and 3 threads, on the cpu backend.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../src/cli/result';
import { SMALL_SWEEP, runnerCommand, withoutTimings } from './helpers/results';

let dir: string;
let specFile: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-workers-'));
  specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(SMALL_SWEEP));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--workers', () => {
  it('gives every run the same numbers with 1, 2 and 3 threads', async () => {
    const results: ExperimentResult[] = [];
    for (const workers of [1, 2, 3]) {
      const out = join(dir, `w${workers}.json`);
      const { code, stderr } = await runnerCommand('experiment', [specFile, '--backend', 'cpu', '--workers', String(workers), '--out', out]);
      expect(code, stderr).toBe(0);
      expect(stderr).toContain(workers === 1 ? 'one thread' : `${workers} worker threads`);
      expect(stderr).toMatch(/Done in [\d.]+ s on cpu: a done, b done, b-twin done, a-fork done, c done, a-fork-fork done\./);
      results.push(JSON.parse(readFileSync(out, 'utf8')) as ExperimentResult);
    }
    const [one, ...more] = results.map(withoutTimings);
    expect(one.runs.every((r) => r.metrics.length > 0 && r.ladder.length > 0)).toBe(true);
    expect(one.comparisons.map((c) => c.tv)).toEqual([expect.any(Number), expect.any(Number)]);
    for (const other of more) expect(other).toEqual(one);
  }, 180_000); // three runner processes, the later ones starting two and three tfjs threads

  it('bad --workers and --shard values exit 2 before anything trains', async () => {
    const zero = await runnerCommand('experiment', [specFile, '--workers', '0']);
    expect([zero.code, zero.stderr.trim()]).toEqual([2, '--workers must be a positive whole number (got "0").']);
    const shard = await runnerCommand('experiment', [specFile, '--shard', '3/2']);
    expect([shard.code, shard.stderr.trim()]).toEqual([2, '--shard must be I/N with 1 ≤ I ≤ N, e.g. 1/4 (got "3/2").']);
  });
});
