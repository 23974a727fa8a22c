/**
 * The README's GNU parallel recipe (deploy/cluster/parallel.sh), run as written on a small sweep: three
 * shards at once, then the merge, whose file must equal the experiment run whole. GNU parallel is
 * required where CI=true (.ci/run installs it with scripts/ensure-parallel.mjs); elsewhere the test is
 * skipped when it is missing, saying so.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../src/cli/result';
import { ROOT, SMALL_SWEEP, runnerCommand, withoutTimings, type Outcome } from './helpers/results';

const hasParallel = /GNU parallel/.test(spawnSync('parallel', ['--version'], { encoding: 'utf8' }).stdout ?? '');
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (!hasParallel && !inCi) console.warn('GNU parallel is not installed: skipping the scale-out recipe test (node scripts/ensure-parallel.mjs installs it as root).');

function recipe(args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile('deploy/cluster/parallel.sh', args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-recipe-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasParallel && !inCi)('scale-out recipe: GNU parallel', () => {
  it('is installed (CI installs it)', () => {
    expect(hasParallel, 'GNU parallel is missing: run `node scripts/ensure-parallel.mjs` as root').toBe(true);
  });

  it('runs three shards and merges them into the file of the whole sweep', async () => {
    const spec = join(dir, 'sweep.json');
    writeFileSync(spec, JSON.stringify(SMALL_SWEEP));
    const out = join(dir, 'out');
    const [shards, whole] = await Promise.all([recipe([spec, '3', out, '--backend', 'cpu']), runnerCommand('experiment', [spec, '--backend', 'cpu', '--out', join(dir, 'whole.json')])]);
    expect(shards.code, shards.stderr).toBe(0);
    expect(whole.code, whole.stderr).toBe(0);
    // GNU parallel tags each shard's lines with its number.
    for (const i of [1, 2, 3]) expect(shards.stdout + shards.stderr).toMatch(new RegExp(`^${i}\\tTraining .*shard ${i}/3 of 6`, 'm'));
    const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ExperimentResult;
    const merged = read(join(out, 'all.json'));
    expect(merged.comparisons[0].tv).toEqual(expect.any(Number));
    expect(withoutTimings(merged)).toEqual(withoutTimings(read(join(dir, 'whole.json'))));
  }, 180_000); // five runner processes (three shards, the whole, the merge) on a shared machine
});
