/**
 * Exports and imports: the CSV has one line per run per recorded step with the run's settings, the JSON
 * export and the headless runner's results file both import back to the same rows, and bad imports (not
 * JSON, cut short, someone else's, newer, too large, wrong types) are refused with a message, never a throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { experimentJson, metricsCsv, parseImport, resultsJson, type ExportInput } from '../src/ui/export/formats';
import { ExperimentSpec, validateSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import type { MetricRow } from '../src/engine/trainer';
import { initBackend, runExperiment } from '../src/cli/run';
import { formatResult } from '../src/cli/result';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const spec = ExperimentSpec.parse({
  runs: [
    { id: 'a', batchSize: 8, learningRate: 0.1 },
    { id: 'b', batchSize: 32, learningRate: 0.05, seed: 2, change: { atStep: 2, batchFactor: 2, lrDivisor: 1 } },
    { id: 'a-fork', batchSize: 64, learningRate: 0.1, fork: { parent: 'a', atStep: 2 } },
  ],
});

const row = (step: number, extra: Partial<MetricRow> = {}): MetricRow => ({ step, samples: step * 8, trainLoss: 1 / step, batchSize: 8, lr: 0.1, temperature: 0.0125, wallMs: step * 1.5, ...extra });

const input: ExportInput = {
  spec,
  view: defaultView(),
  runs: [],
  metrics: {
    a: [row(1, { gradNorm: 2.5 }), row(2, { evalLoss: 0.123456789012345 }), row(3)],
    b: [row(1), row(2, { noiseScale: 42, noiseScaleLow: 30, noiseScaleHigh: 60 }), row(3, { noiseUnresolved: true })],
    'a-fork': [row(3, { trainLoss: NaN })],
  },
  lossFloor: 0.5,
  backend: 'wasm',
};

function parseCsv(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => l.split(','));
}

describe('CSV', () => {
  it('one line per run per recorded step, settings as columns, full precision, empty where not measured', () => {
    const [header, ...lines] = parseCsv(metricsCsv(input));
    expect(lines).toHaveLength(7);
    for (const k of ['run.id', 'run.batchSize', 'run.learningRate', 'run.seed', 'run.change.atStep', 'run.fork.parent', 'run.fork.atStep', 'regime', 'step', 'trainLoss', 'evalLoss', 'gradNorm', 'noiseScale', 'noiseScaleLow', 'noiseUnresolved']) {
      expect(header).toContain(k);
    }
    const col = (name: string) => header.indexOf(name);
    const byRun = (id: string) => lines.filter((l) => l[col('run.id')] === id);
    expect(byRun('a').map((l) => Number(l[col('step')]))).toEqual([1, 2, 3]);
    expect(byRun('a')[1][col('evalLoss')]).toBe('0.123456789012345');
    expect(byRun('a')[0][col('evalLoss')]).toBe('');
    expect(byRun('b')[0][col('run.change.batchFactor')]).toBe('2');
    expect(byRun('b').map((l) => l[col('noiseUnresolved')])).toEqual(['', '', 'true']);
    expect(byRun('a-fork')[0][col('run.fork.parent')]).toBe('a');
    expect(byRun('a-fork')[0][col('trainLoss')]).toBe(''); // non-finite
    for (const l of lines) expect(l).toHaveLength(header.length);
  });
});

describe('JSON export and import', () => {
  it('imports back to the same rows, settings and lineage', () => {
    const result = parseImport(resultsJson(input), 'export.json');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.results.source).toBe('export');
    expect(result.results.spec).toEqual(spec);
    expect(result.results.lossFloor).toBe(0.5);
    const a = result.results.runs.find((r) => r.id === 'a')!;
    expect(a.rows).toEqual(input.metrics.a);
    // B_simple's interval and the "not resolved" flag come back too.
    expect(result.results.runs.find((r) => r.id === 'b')!.rows).toEqual(input.metrics.b);
    expect(a.settings).toMatchObject({ id: 'a', batchSize: 8, learningRate: 0.1, seed: 1 });
    const fork = result.results.runs.find((r) => r.id === 'a-fork')!;
    expect(fork.fork).toEqual({ parent: 'a', atStep: 2 });
    expect(Number.isNaN(fork.rows[0].trainLoss)).toBe(true);
  });

  it('the experiment JSON is a valid spec', () => {
    expect(validateSpec(JSON.parse(experimentJson(spec)))).toEqual({ ok: true, spec });
  });

  it("imports the headless runner's results file", async () => {
    await initBackend('cpu', () => {});
    const small = ExperimentSpec.parse({ model: { width: 8, depth: 1 }, probeSize: 16, budgetSteps: 12, evalEvery: 4, runs: [{ id: 'x', batchSize: 4, learningRate: 0.1 }, { id: 'y', batchSize: 4, learningRate: 0.1, fork: { parent: 'x', atStep: 6 } }] });
    const results = await runExperiment(small, { backend: 'cpu', chunkSteps: 5 });
    const imported = parseImport(formatResult(results), 'results.json');
    expect(imported.ok).toBe(true);
    if (!imported.ok) return;
    expect(imported.results.source).toBe('runner');
    expect(imported.results.runs.map((r) => r.rows.length)).toEqual([12, 6]);
    expect(imported.results.runs[0].rows).toEqual(results.runs[0].metrics);
    expect(imported.results.runs[1].fork).toEqual({ parent: 'x', atStep: 6 });
    expect(imported.results.runs[0].settings).toMatchObject({ batchSize: 4, status: 'done' });
  });
});

describe('bad imports', () => {
  const good = resultsJson(input);
  const cases: Array<[string, string, RegExp]> = [
    ['not JSON', 'hello there', /not JSON/],
    ['cut short', good.slice(0, Math.floor(good.length / 2)), /cut short/],
    ['a JSON array', '[1,2,3]', /not an SGD Noise Lab/],
    ["someone else's JSON", '{"name":"my-package","version":"1.0.0"}', /not an SGD Noise Lab/],
    ['another format', '{"format":"tensorboard","runs":[]}', /not an SGD Noise Lab export/],
    ['a newer export', JSON.stringify({ ...JSON.parse(good), version: 99 }), /newer version/],
    ['a newer spec', JSON.stringify({ spec: { version: 7 }, runs: [] }), /newer version/],
    ['an invalid spec', JSON.stringify({ spec: { budgetSteps: -1 }, runs: [] }), /invalid experiment/],
    ['metric values of the wrong type', JSON.stringify({ spec: {}, runs: [{ id: 'a', metrics: [{ step: 1, trainLoss: '<img src=x onerror=alert(1)>' }] }] }), /not an SGD Noise Lab/],
    ['rows without a step', JSON.stringify({ spec: {}, runs: [{ id: 'a', metrics: [{ trainLoss: 1 }] }] }), /not an SGD Noise Lab/],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      const result = parseImport(text, 'x.json');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(message);
    });
  }

  it('too large', () => {
    const result = parseImport(good, 'big.json', 1000);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/too large/) as unknown as string });
  });

  it('500 random mutations of an export never throw', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.string({ maxLength: 5 }), (at, len, insert) => {
        const i = at % good.length;
        const text = good.slice(0, i) + insert + good.slice(i + (len % 20));
        const result = parseImport(text);
        if (result.ok) expect(validateSpec(result.results.spec).ok).toBe(true);
        else expect(result.error.length).toBeGreaterThan(10);
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe('fields kept per run elsewhere travel with the export', () => {
  it('per-run extras (e.g. loss-ladder points with typed-array outputs) are written with each run, as plain arrays', () => {
    const text = resultsJson({ ...input, perRun: { ladders: { a: [{ level: 1, step: 2, outputs: new Float32Array([0.25, 0.75]) }] } }, extra: { probe: { examples: 2 } } });
    const doc = JSON.parse(text) as { runs: Array<{ id: string; ladders?: unknown }>; extra?: unknown };
    expect(doc.runs.find((r) => r.id === 'a')!.ladders).toEqual([{ level: 1, step: 2, outputs: [0.25, 0.75] }]);
    expect(doc.runs.find((r) => r.id === 'b')!.ladders).toBeUndefined();
    expect(doc.extra).toEqual({ probe: { examples: 2 } });
    expect(parseImport(text).ok).toBe(true);
  });
});
