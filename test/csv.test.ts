/**
 * Your own data: the .csv parser refuses bad files with a message that says what is wrong, and a good
 * table becomes a task (standardised features, a fixed held-out split, one pass online) that trains.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '../src/engine/tf';
import { MissingAssetError } from '../src/engine/data/assets';
import { CsvError, MAX_CSV_BYTES, parseCsv } from '../src/engine/data/csv';
import { Domain, hashKeys } from '../src/engine/rng';
import { createTask } from '../src/engine/tasks';
import { CsvTask } from '../src/engine/tasks/csv';
import { Trainer } from '../src/engine/trainer';
import { ExperimentSpec, validateSpec } from '../src/spec/schema';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const bytes = (text: string) => new TextEncoder().encode(text);

/** A two-class table: class "a" around (0, 0), class "b" around (3, 3), with an unused id column. */
function table(rows: number, header = 'id,x1,x2,kind'): string {
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const b = i % 2;
    lines.push(`${i},${(b * 3 + Math.sin(i)).toFixed(3)},${(b * 3 + Math.cos(i * 1.7)).toFixed(3)},${b ? 'b' : 'a'}`);
  }
  return lines.join('\n');
}

/** The same table with the classes written as 0 and 1, so every column is numeric. */
const numeric = (rows: number) => table(rows).replaceAll(',a\n', ',0\n').replaceAll(',b\n', ',1\n').replace(/,a$/, ',0').replace(/,b$/, ',1');

const refuses = (text: string | Uint8Array, pattern: RegExp, label = '') =>
  expect(() => parseCsv(typeof text === 'string' ? bytes(text) : text, 'my.csv', label)).toThrow(pattern);

describe('csv parser', () => {
  it('reads a header, numeric features and a label column (last by default, or by name)', () => {
    const t = parseCsv(bytes(table(40)), 'my.csv');
    expect(t.features).toEqual(['id', 'x1', 'x2']);
    expect(t.label).toBe('kind');
    expect(t.classes).toEqual(['a', 'b']);
    expect(t.rows).toBe(40);
    expect(Array.from(t.y.subarray(0, 4))).toEqual([0, 1, 0, 1]);
    const byName = parseCsv(bytes(numeric(40)), 'my.csv', 'x2');
    expect(byName.features).toEqual(['id', 'x1', 'kind']);
    expect(byName.label).toBe('x2');
  });

  it('handles quotes, semicolons, CRLF, a BOM, blank lines and numeric labels sorted as numbers', () => {
    const rows = Array.from({ length: 45 }, (_, i) => `${i}.5;"${-i}";${[10, 9, 2][i % 3]}`);
    const t = parseCsv(bytes(`\ufeff"f 1";"f;2";label\r\n\r\n${rows.join('\r\n')}\r\n`), 'my.csv');
    expect(t.features).toEqual(['f 1', 'f;2']);
    expect(t.classes).toEqual(['2', '9', '10']);
    expect(t.x[2]).toBe(1.5);
    expect(t.x[3]).toBe(-1);
  });

  it('a file without a header names its columns', () => {
    const t = parseCsv(bytes(Array.from({ length: 50 }, (_, i) => `${i},${i % 2}`).join('\n')), 'my.csv');
    expect(t.features).toEqual(['column 1']);
    expect(t.rows).toBe(50);
  });

  it('refuses an empty file', () => refuses('', /my\.csv: the file is empty/));
  it('refuses a file of blank lines', () => refuses('\n\n  \n', /no rows/));
  it('refuses a binary file', () => refuses(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 1, 2]), /binary file/));
  it('refuses text that is not UTF-8', () => refuses(new Uint8Array([0x61, 0x2c, 0xff, 0xfe, 0x0a]), /not a text file in UTF-8/));
  it('refuses a file that is too large', () => refuses(new Uint8Array(MAX_CSV_BYTES + 1).fill(0x31), /the limit is 20 MB/));
  it('refuses a single column', () => refuses(table(50).replaceAll(',', ' '), /one column/));
  it('refuses a row with the wrong number of columns', () => refuses(table(50) + '\n1,2,3', /line 52 has 3 columns, the header has 4/));
  it('refuses a non-numeric feature', () => refuses(table(50).replace('\n5,', '\nfive,'), /line 7, column "id": "five" is not a number/));
  it('refuses a missing label', () => refuses(table(50) + '\n1,2,3,', /line 52 has no label/));
  it('refuses an unknown label column', () => refuses(table(50), /no column named "species" \(the columns are "id", "x1", "x2", "kind"\)/, 'species'));
  it('refuses too few rows', () => refuses(table(10), /only 10 data rows; the lab needs at least 40/));
  it('refuses a single class', () => refuses(table(50).replaceAll(',b', ',a'), /at least two classes/));
  it('refuses a continuous label (too many classes)', () => refuses(numeric(300), /has 300 different values; the limit is 100 classes/, 'id'));
  it('refuses an unclosed quote', () => refuses(table(50) + '\n"1,2,3,a', /unclosed quote/));
  it('throws CsvError, with the file name first', () => {
    try {
      parseCsv(bytes(''), 'data.csv');
    } catch (e) {
      expect(e).toBeInstanceOf(CsvError);
      expect((e as Error).message.startsWith('data.csv: ')).toBe(true);
    }
  });
});

describe('csv task', () => {
  const name = 'upload:my.csv';
  const assets = new Map([[name, bytes(table(200))]]);

  it('splits rows once into a training pool and held-out rows, with standardised features', () => {
    const task = createTask({ kind: 'csv', file: name, label: '', heldOut: 0.2 }, 1, assets) as CsvTask;
    expect(task.inputDim).toBe(3);
    expect(task.outputDim).toBe(2);
    expect(task.streamSize).toBe(160);
    expect(task.heldOutCount).toBe(40);
    const x = new Float32Array(160 * 3);
    const y = new Float32Array(160 * 2);
    task.fill(hashKeys(1, Domain.train, 1), 0, 160, x, y);
    for (let j = 0; j < 3; j++) {
      let m = 0;
      let v = 0;
      for (let i = 0; i < 160; i++) m += x[i * 3 + j] / 160;
      for (let i = 0; i < 160; i++) v += (x[i * 3 + j] - m) ** 2 / 160;
      expect(m).toBeCloseTo(0, 5);
      expect(v).toBeCloseTo(1, 4);
    }
    expect(() => task.fill(hashKeys(1, Domain.train, 1), 150, 20, x, y)).toThrow(/Your table has 160 training rows: a stream of them ends after one pass/);
    expect(() => task.fill(hashKeys(1, Domain.probe), 0, 41, x, y)).toThrow(/The probe set needs 41 held-out rows, but Your table holds 40: lower the probe set size/);
  });

  it('a missing upload asks for the file; the link names it but the schema needs an upload name', () => {
    expect(() => createTask({ kind: 'csv', file: 'upload:other.csv', label: '', heldOut: 0.2 }, 1, assets)).toThrow(MissingAssetError);
    expect(() => createTask({ kind: 'csv', file: 'upload:other.csv', label: '', heldOut: 0.2 }, 1, assets)).toThrow(/upload it again/);
    expect(validateSpec({ task: { kind: 'csv', file: 'data/mnist.bin.gz' } })).toMatchObject({ ok: false });
    expect(validateSpec({ task: { kind: 'csv', file: name } })).toMatchObject({ ok: true });
  });

  it('trains an MLP online until the single pass ends, and the loss falls', async () => {
    const spec = ExperimentSpec.parse({
      task: { kind: 'csv', file: name },
      model: { width: 16, depth: 1 },
      budgetSteps: 100,
      evalEvery: 5,
      probeSize: 32,
      runs: [{ id: 'a', batchSize: 8, learningRate: 0.5 }],
    });
    const trainer = new Trainer(spec, { groupRuns: false, assets });
    const rows = [];
    while (trainer.active) rows.push(...((await trainer.advance(50)).get('a') ?? []));
    const [run] = trainer.progress();
    expect(run.status).toBe('done');
    expect(run.step).toBe(20); // 160 rows / 8
    expect(run.reason).toMatch(/single pass/);
    const evals = rows.filter((r) => r.evalLoss !== undefined).map((r) => r.evalLoss!);
    expect(evals[evals.length - 1]).toBeLessThan(0.5 * evals[0]);
    trainer.dispose();
  });
});
