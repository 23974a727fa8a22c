/**
 * The headless runner end to end: each case spawns `src/cli/experiment.ts` under tsx, as
 * `npm run experiment` does, and checks its exit code, stdout and stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import LZString from 'lz-string';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeLink } from '../src/spec/link';
import { PRESETS } from '../src/spec/presets';
import { validateSpec, type ExperimentSpecInput } from '../src/spec/schema';
import { LINK_VERSION } from '../src/spec/migrate';
import type { ExperimentResult } from '../src/cli/result';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Outcome> {
  return cliWith({}, ...args);
}

/** The runner with these environment variables (VITE_PUBLIC_URL unset unless given). */
function cliWith(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/experiment.ts', ...args],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, VITE_PUBLIC_URL: '', ...env } },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const SPEC: ExperimentSpecInput = {
  budgetSteps: 40,
  evalEvery: 10,
  probeSize: 64,
  runs: [
    { id: 'small', batchSize: 4, learningRate: 0.1 },
    { id: 'large', batchSize: 16, learningRate: 0.05, seed: 7 },
    { id: 'large-twin', batchSize: 16, learningRate: 0.05, seed: 8 },
  ],
  // A low ladder so every run reaches a few levels in 40 steps; the second comparison's level is never reached.
  ladder: { levels: 4, top: 1.4, bottom: 1.1 },
  comparisons: [
    { a: 'small', b: 'large' },
    { a: 'small', b: 'large', level: 0.01 },
  ],
};

function parsedSpec() {
  const parsed = validateSpec(SPEC);
  if (!parsed.ok) throw new Error('the test spec is invalid');
  return parsed.spec;
}

let dir: string;
let specFile: string;
let link: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sgd-cli-'));
  specFile = join(dir, 'spec.json');
  writeFileSync(specFile, JSON.stringify(SPEC));
  const made = await cli(specFile, '--link');
  expect(made.code, made.stderr).toBe(0);
  link = made.stdout.trim();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('experiment CLI', () => {
  it('--link prints a lab link that decodes back to the spec', () => {
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:5173\/#e=[A-Za-z0-9+$-]+$/);
    const decoded = decodeLink(link);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) throw new Error(decoded.error);
    expect(decoded.state.spec).toEqual(parsedSpec());
    expect(decoded.state.autorun).toBe(false);
  });
  it('--link points at the hosted lab when VITE_PUBLIC_URL names it, and refuses a bad one', async () => {
    const hosted = await cliWith({ VITE_PUBLIC_URL: 'https://example.org/lab/' }, specFile, '--link');
    expect(hosted.code, hosted.stderr).toBe(0);
    expect(hosted.stdout.trim()).toBe(link.replace('http://127.0.0.1:5173/', 'https://example.org/lab/'));
    const bad = await cliWith({ VITE_PUBLIC_URL: 'lab/' }, specFile, '--link');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('VITE_PUBLIC_URL "lab/" is not an absolute URL');
    expect(bad.stdout).toBe('');
  });

  it('runs a link to completion and writes the documented JSON; a rerun gives identical numbers', async () => {
    const outFile = join(dir, 'results.json');
    // Once to a file, once to stdout: stdout must then hold the JSON and nothing else.
    const [first, second] = [await cli(link, '--out', outFile), await cli(link)];
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('');
    expect(first.stderr).toContain(outFile);
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(readFileSync(outFile, 'utf8')) as ExperimentResult;
    const again = JSON.parse(second.stdout) as ExperimentResult;

    expect(Object.keys(result)).toEqual(['spec', 'backend', 'lossFloor', 'ladderLevels', 'runs', 'comparisons', 'groups', 'verdicts']);
    const ratio = (1.1 / 1.4) ** (1 / 3); // 4 geometric levels from 1.4 to 1.1, then the comparison's level
    expect(result.ladderLevels).toEqual([1.4, expect.closeTo(1.4 * ratio, 12), expect.closeTo(1.4 * ratio ** 2, 12), 1.1, 0.01]);
    expect(result.backend).toBe('wasm');
    expect(result.spec).toEqual(parsedSpec());
    expect(typeof result.lossFloor).toBe('number');
    expect(result.runs.map((r) => r.id)).toEqual(['small', 'large', 'large-twin']);

    for (const run of result.runs) {
      const spec = SPEC.runs!.find((r) => r.id === run.id)!;
      expect(run).toMatchObject({
        batchSize: spec.batchSize,
        learningRate: spec.learningRate,
        seed: spec.seed ?? 1,
        status: 'done',
        regime: 'online',
        steps: 40,
        samples: 40 * spec.batchSize,
      });
      expect(run).not.toHaveProperty('reason');
      expect(run.wallMs).toBeGreaterThan(0);
      expect(run.samplesPerSecond).toBeGreaterThan(0);
      expect(run.metrics).toHaveLength(40);
      run.metrics.forEach((row, i) => {
        const optional = (['evalLoss', 'gradNorm', 'noiseScale', 'noiseScaleLow', 'noiseScaleHigh', 'noiseUnresolved', 'noiseEstimating'] as const).filter((k) => row[k] !== undefined);
        expect(Object.keys(row).sort()).toEqual(['step', 'samples', 'trainLoss', 'batchSize', 'lr', 'temperature', 'wallMs', ...optional].sort());
        expect(row.batchSize).toBe(spec.batchSize);
        expect(row.temperature).toBeCloseTo(spec.learningRate / spec.batchSize, 12);
        // Noise is measured every 8th step by default (on steps 0, 8, 16, … counted from 0).
        expect(row.gradNorm !== undefined).toBe(i % 8 === 0 && spec.batchSize % 2 === 0);
        if (row.gradNorm !== undefined) expect(row.gradNorm).toBeGreaterThan(0);
        // B_simple with its interval around it, or marked unresolved or estimating and then absent.
        if (row.noiseUnresolved || row.noiseEstimating) expect(row.noiseScale).toBeUndefined();
        if (row.noiseScale !== undefined) expect([row.noiseScaleLow, row.noiseScaleHigh]).not.toContain(undefined);
        if (row.noiseScaleLow !== undefined) expect(row.noiseScaleLow).toBeLessThanOrEqual(row.noiseScale!);
        if (row.noiseScaleHigh !== undefined) expect(row.noiseScaleHigh).toBeGreaterThanOrEqual(row.noiseScale!);
        expect(row.step).toBe(i + 1);
        expect(row.samples).toBe(row.step * spec.batchSize);
        expect(row.lr).toBe(spec.learningRate);
        expect(Number.isFinite(row.trainLoss)).toBe(true);
        if (i > 0) expect(row.wallMs).toBeGreaterThanOrEqual(run.metrics[i - 1].wallMs);
      });
      expect(run.metrics.filter((r) => 'evalLoss' in r).map((r) => r.step)).toEqual([10, 20, 30, 40]);
      for (const row of run.metrics.filter((r) => 'evalLoss' in r)) expect(Number.isFinite(row.evalLoss)).toBe(true);
      // Each ladder level at the first evaluation at or below it.
      expect(run.ladder.length).toBeGreaterThan(0);
      for (const point of run.ladder) {
        expect(Object.keys(point)).toEqual(['level', 'step', 'samples']);
        const first = run.metrics.find((r) => r.evalLoss != null && r.evalLoss <= point.level)!;
        expect([point.step, point.samples]).toEqual([first.step, first.samples]);
      }
    }

    // The spec's comparisons: the first at the lowest shared level, with the twin's baseline where it got there.
    const [lowest, unreached] = result.comparisons;
    expect(lowest).toMatchObject({ a: 'small', b: 'large', level: expect.any(Number), tv: expect.any(Number), disagreement: expect.any(Number), kl: expect.any(Number) });
    expect(lowest.tv! >= 0 && lowest.tv! <= 1).toBe(true);
    const twinReached = result.runs[2].ladder.some((p) => p.level === lowest.level);
    expect(lowest.baselineTv === null).toBe(!twinReached);
    // Bootstrap intervals over probe examples around each distance.
    expect(lowest.tvLow!).toBeLessThanOrEqual(lowest.tv!);
    expect(lowest.tvHigh!).toBeGreaterThanOrEqual(lowest.tv!);
    if (twinReached) {
      expect(lowest.baselineTvLow!).toBeLessThanOrEqual(lowest.baselineTv!);
      expect(lowest.baselineTvHigh!).toBeGreaterThanOrEqual(lowest.baselineTv!);
      expect(lowest.ratio).toBeCloseTo(lowest.tv! / lowest.baselineTv!, 12);
    }

    // Seed groups (large and large-twin differ only in seed) with the held-out loss across seeds.
    expect(result.groups.map((g) => g.runs)).toEqual([['small'], ['large', 'large-twin']]);
    const [l, t] = [result.runs[1], result.runs[2]].map((run) => run.metrics.find((r) => r.step === 40)!.evalLoss!);
    expect(result.groups[1].metrics.find((r) => r.step === 40)).toEqual({ step: 40, evalLossMean: expect.closeTo((l + t) / 2, 12), evalLossStd: expect.closeTo(Math.abs(l - t) / Math.SQRT2, 12), n: 2 });
    // A verdict per claim the spec allows: batch order (4 vs 16 are at different η: none) and the comparison.
    expect(result.verdicts.map((v) => v.claim)).toEqual(['equal-loss']);
    expect(again.verdicts).toEqual(result.verdicts);
    expect(unreached).toEqual({ a: 'small', b: 'large', level: null, tv: null, disagreement: null, kl: null, baselineTv: null, note: 'small and large have not reached the held-out loss 0.0100 (yet).' });

    // Same link, same numbers: everything but the timings.
    const numbers = (r: ExperimentResult) =>
      r.runs.map((run) => ({
        ...run,
        wallMs: 0,
        samplesPerSecond: 0,
        metrics: run.metrics.map((row) => ({ ...row, wallMs: 0 })),
      }));
    expect(numbers(again)).toEqual(numbers(result));
    expect(again.spec).toEqual(result.spec);
    expect(again.lossFloor).toBe(result.lossFloor);
    expect(again.comparisons).toEqual(result.comparisons);
  });

  it('--list-presets lists every preset name, one per line', async () => {
    const { code, stdout } = await cli('--list-presets');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toEqual(PRESETS.map((p) => p.name));
  });

  it('a malformed link exits 2 with the message the app shows', async () => {
    const bad = 'http://127.0.0.1:5173/#e=this-is-not-a-link';
    const decoded = decodeLink(bad);
    if (decoded.ok) throw new Error('expected the link to be refused');
    const { code, stdout, stderr } = await cli(bad);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(decoded.error);
  });

  it('a link from a newer version exits 2 and says so', async () => {
    const newer = `#e=${LZString.compressToEncodedURIComponent(JSON.stringify({ v: LINK_VERSION + 1, s: {} }))}`;
    const { code, stderr } = await cli(newer);
    expect(code).toBe(2);
    expect(stderr).toContain('newer version of the lab');
  });

  it('an invalid spec file exits 2 and names the field', async () => {
    const file = join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ runs: [{ id: 'a', batchSize: 0, learningRate: 0.1 }] }));
    const { code, stdout, stderr } = await cli(file);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('runs.0.batchSize: Batch size must be at least 1');
  });

  it('--steps 0 exits 2', async () => {
    const { code, stderr } = await cli(specFile, '--steps', '0');
    expect(code).toBe(2);
    expect(stderr).toContain('--steps must be a positive whole number');
  });
});
