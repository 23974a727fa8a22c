/**
 * The text task and its data: decoding and validating .txt files (uploads and the shipped corpus), the
 * windows (shapes, token ranges, each character a target once per pass, held-out windows apart), common
 * random numbers, and the single-pass limit of online training.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, parseCommand } from '../src/cli/args';
import { describe, expect, it } from 'vitest';
import { MissingAssetError } from '../src/engine/data/assets';
import { MAX_TEXT_BYTES, MAX_VOCABULARY, TextDataError, checkUpload, decodeCorpus, minCharacters, windowCounts } from '../src/engine/data/text';
import { assetsFor, createTask } from '../src/engine/tasks';
import { TextTask, CorpusExhaustedError } from '../src/engine/tasks/text';
import { Trainer } from '../src/engine/trainer';
import { Domain, hashKeys } from '../src/engine/rng';
import { ExperimentSpec, validateSpec } from '../src/spec/schema';
import { decodeLink, encodeLink, linkUrl } from '../src/spec/link';
import { defaultView } from '../src/spec/view';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A deterministic pseudo-English text of about `chars` characters. */
function prose(chars: number): string {
  const words = ['the', 'quick', 'brown', 'fox', 'jumps', 'over', 'a', 'lazy', 'dog', 'and', 'runs', 'away', 'home'];
  const out: string[] = [];
  let n = 0;
  let i = 0;
  while (n < chars) {
    const w = words[(i * 7 + Math.floor(i / 5)) % words.length] + ((i + 1) % 11 === 0 ? '.\n' : ' ');
    out.push(w);
    n += w.length;
    i++;
  }
  return out.join('').slice(0, chars);
}

describe('decoding and validating text', () => {
  it('decodes UTF-8 into one token per character, vocabulary sorted by code point; CRLF becomes LF', () => {
    const c = decodeCorpus(utf8('\uFEFFba\r\nü a'), 't.txt');
    expect(c.vocabulary).toBe('\n abü');
    expect(Array.from(c.tokens)).toEqual([3, 2, 0, 4, 1, 2]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /is empty/],
    ['only a byte-order mark', new Uint8Array([0xef, 0xbb, 0xbf]), /is empty/],
    ['NUL bytes (binary)', new Uint8Array([104, 105, 0, 1, 2, 104]), /does not look like text/],
    ['invalid UTF-8 (e.g. a PNG)', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe]), /does not look like text/],
    ['many control characters', utf8('ab\u0001\u0002\u0003cd'.repeat(50)), /does not look like text/],
    ['too large', new Uint8Array(MAX_TEXT_BYTES + 1).fill(97), /at most 8\.0 MB/],
    ['too many distinct characters', utf8(Array.from({ length: MAX_VOCABULARY + 1 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('')), /129 different characters; at most 128/],
  ];
  for (const [what, bytes, message] of bad) {
    it(`rejects a file that is ${what}`, () => {
      expect(() => decodeCorpus(bytes, 'f.txt')).toThrow(TextDataError);
      expect(() => decodeCorpus(bytes, 'f.txt')).toThrow(message);
    });
  }

  it('checkUpload: the name must be .txt; the text must give enough windows for the context and the largest batch', () => {
    const experiment = { context: 32, batchSizes: [8, 32], budgetSteps: 300 };
    expect(() => checkUpload('notes.csv', utf8(prose(10_000)), experiment)).toThrow(/not a \.txt file/);
    expect(() => checkUpload('a/b.txt', utf8(prose(10_000)), experiment)).toThrow(/rename the file/);
    const short = prose(minCharacters(32) - 1);
    expect(() => checkUpload('short.txt', utf8(short), experiment)).toThrow(/too few for training; it needs at least 2,145 characters/);
    expect(() => checkUpload('ok.txt', utf8(prose(minCharacters(32))), experiment)).not.toThrow();
    expect(() => checkUpload('ok.txt', utf8(prose(10_000)), { ...experiment, batchSizes: [512] })).toThrow(/too few for a batch of 512/);
    const check = checkUpload('ok.txt', utf8(prose(100_000)), experiment);
    const { train } = windowCounts(100_000, 32);
    expect(check.trainWindows).toBe(train);
    // Online, a run at B = 32 gets ⌊train / 32⌋ steps, short of the 300-step budget (B = 8 is not): said up front.
    expect(check.shortRuns).toEqual([{ batchSize: 32, steps: Math.floor(train / 32) }]);
  });
});

describe('text task windows', () => {
  const text = prose(20_000);
  const corpus = decodeCorpus(utf8(text), 'p.txt');
  const T = 16;
  const task = new TextTask(corpus, 'p.txt', T, 3);
  const V = corpus.vocabulary.length;
  const probeKey = hashKeys(3, Domain.probe);

  const read = (key: number, start: number, count: number) => {
    const x = new Float32Array(count * T);
    const y = new Float32Array(count * T * V);
    task.fill(key, start, count, x, y);
    return { x, y };
  };
  const decode = (x: Float32Array, y: Float32Array, n: number) => {
    let s = '';
    for (let t = 0; t < T; t++) s += corpus.vocabulary[x[n * T + t]];
    return s + corpus.vocabulary[y.subarray((n * T + T - 1) * V, (n * T + T) * V).indexOf(1)];
  };

  it('x holds T token ids, y the T next tokens: each sample is a window of T + 1 characters of the text', () => {
    expect(task.inputDim).toBe(T);
    expect(task.outputDim).toBe(T * V);
    expect(task.positions).toBe(T);
    expect(task.vocabulary).toBe(corpus.vocabulary);
    const { x, y } = read(11, 0, 40);
    for (let n = 0; n < 40; n++) {
      for (let t = 0; t < T; t++) {
        expect(x[n * T + t]).toBeGreaterThanOrEqual(0);
        expect(x[n * T + t]).toBeLessThan(V);
        const row = y.subarray((n * T + t) * V, (n * T + t + 1) * V);
        expect(row.reduce((a, b) => a + b, 0)).toBe(1);
        if (t < T - 1) expect(row[x[n * T + t + 1]]).toBe(1);
      }
      const window = decode(x, y, n);
      const at = text.indexOf(window);
      expect(at).toBeGreaterThanOrEqual(0);
    }
  });

  it('one pass of a stream reads every training window once (each character a target once); probe windows are the held-out ones', () => {
    const { windows, train, heldOut } = windowCounts(corpus.tokens.length, T);
    expect(task.streamSize).toBe(train);
    expect(train + heldOut).toBe(windows);
    expect(heldOut).toBe(Math.floor(windows / 20));
    const all = read(42, 0, train);
    const probe = read(probeKey, 0, heldOut);
    const probeWindows = Array.from({ length: heldOut }, (_, n) => decode(probe.x, probe.y, n));
    const cover = new Uint8Array(windows);
    const windowAt = (w: number) => text.slice(w * T, w * T + T + 1);
    const index = new Map<string, number[]>();
    for (let w = 0; w < windows; w++) index.set(windowAt(w), [...(index.get(windowAt(w)) ?? []), w]);
    for (const s of [...Array.from({ length: train }, (_, n) => decode(all.x, all.y, n)), ...probeWindows]) {
      const ws = index.get(s)!;
      expect(ws).toBeDefined();
      const w = ws.find((i) => cover[i] === 0)!;
      expect(w).toBeDefined();
      cover[w] = 1;
    }
    expect(cover.every((c) => c === 1)).toBe(true);
    // The probe cycles when asked for more than there are.
    const more = read(probeKey, heldOut, 3);
    expect(more.x).toEqual(probe.x.subarray(0, 3 * T));
  });

  it('sample i is a pure function of (stream key, i); streams differ in order', () => {
    const whole = read(7, 0, 30);
    expect(read(7, 12, 8).x).toEqual(whole.x.subarray(12 * T, 20 * T));
    expect(new TextTask(corpus, 'p.txt', T, 3).streamSize).toBe(task.streamSize);
    const again = new TextTask(corpus, 'p.txt', T, 3);
    const x = new Float32Array(30 * T);
    again.fill(7, 0, 30, x, new Float32Array(30 * T * V));
    expect(x).toEqual(whole.x);
    expect(read(8, 0, 30).x).not.toEqual(whole.x);
  });

  it('reading past the end of a pass throws (the trainer stops runs before that)', () => {
    expect(() => read(7, task.streamSize - 1, 2)).toThrow(CorpusExhaustedError);
    expect(() => read(7, task.streamSize - 2, 2)).not.toThrow();
    // Offline, a training set larger than the text is refused the same way, with what to do.
    const spec = ExperimentSpec.parse({ task: { kind: 'text', corpus: 'upload:p.txt', context: T }, model: { kind: 'transformer' }, regime: { kind: 'offline', trainSize: task.streamSize + 1 } });
    expect(() => new Trainer(spec, { groupRuns: false, assets: new Map([['upload:p.txt', utf8(text)]]) })).toThrow(/choose a training set of at most/);
  });

  it('needs its text loaded: a shipped corpus by name, an upload by "upload:<name>"', () => {
    const spec = ExperimentSpec.parse({ task: { kind: 'text' }, model: { kind: 'transformer' } });
    expect(assetsFor(spec.task)).toEqual(['kjv.txt']);
    const upload = ExperimentSpec.parse({ task: { kind: 'text', corpus: 'upload:my notes.txt' }, model: { kind: 'transformer' } });
    expect(assetsFor(upload.task)).toEqual(['upload:my notes.txt']);
    expect(() => createTask(upload.task, 1, new Map())).toThrow(MissingAssetError);
    expect(() => createTask(upload.task, 1, new Map())).toThrow(/upload it again/);
    const made = createTask(upload.task, 1, new Map([['upload:my notes.txt', utf8(prose(5000))]]));
    expect(made.vocabulary).toBe(decodeCorpus(utf8(prose(5000)), 'x').vocabulary);
    expect(() => createTask(upload.task, 1, new Map([['upload:my notes.txt', utf8('too short')]]))).toThrow(/"my notes.txt" has 9 characters/);
  });
});

describe('the shipped corpus', () => {
  const bytes = new Uint8Array(readFileSync(new URL('../public/data/kjv.txt', import.meta.url)));

  it('is at least 1 MB of plain English text with a small vocabulary', () => {
    expect(bytes.length).toBeGreaterThan(1_000_000);
    const corpus = decodeCorpus(bytes, 'kjv.txt');
    expect(corpus.tokens.length).toBe(bytes.length); // ASCII: one byte per character
    expect(corpus.vocabulary.length).toBeLessThanOrEqual(70);
    expect(new TextDecoder().decode(bytes.subarray(0, 56))).toBe('In the beginning God created the heaven and the earth.\nA');
    const task = createTask({ kind: 'text', corpus: 'kjv', context: 32 }, 1, new Map([['kjv.txt', bytes]]));
    // ~4.1 MB at stride 32: about 123,000 training windows of 33 characters.
    expect(task.streamSize).toBeGreaterThan(100_000);
    expect(task.outputDim).toBe(32 * corpus.vocabulary.length);
  });
});

describe('specs and links of the sequence tasks', () => {
  it('the sequence tasks need the transformer and the transformer needs one; width splits into heads', () => {
    const issues = (input: unknown) => {
      const r = validateSpec(input);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
    };
    expect(issues({ task: { kind: 'text' } })).toEqual(['model.kind: The text task needs the transformer model']);
    expect(issues({ model: { kind: 'transformer' } })).toEqual(['model.kind: The transformer needs a text or Markov task']);
    expect(issues({ task: { kind: 'markov' }, model: { kind: 'transformer', width: 30, heads: 4 } })).toEqual(['model.heads: Width 30 must split evenly into 4 heads']);
    expect(issues({ task: { kind: 'text', corpus: 'upload:evil/../x.txt' }, model: { kind: 'transformer' } })[0]).toMatch(/^task.corpus/);
    expect(issues({ task: { kind: 'text', corpus: 'upload:x.csv' }, model: { kind: 'transformer' } })[0]).toMatch(/^task.corpus/);
    expect(issues({ task: { kind: 'text', corpus: 'upload:Notes.TXT', context: 64 }, model: { kind: 'transformer', layers: 1 } })).toEqual([]);
    // Offline, the training set's one-hot targets must fit in memory.
    const offline = (trainSize: number) => issues({ task: { kind: 'markov', context: 32 }, model: { kind: 'transformer' }, regime: { kind: 'offline', trainSize } });
    expect(offline(16_384)).toEqual([]);
    expect(offline(16_385)).toEqual(['regime.trainSize: At context 32 a training set may have at most 16,384 windows (524,288 characters)']);
  });

  it('a link names an uploaded file but carries none of its bytes, and round-trips', () => {
    const spec = ExperimentSpec.parse({
      task: { kind: 'text', corpus: 'upload:diary.txt', context: 48 },
      model: { kind: 'transformer', layers: 1, width: 32, heads: 2 },
      runs: [{ id: 'b8', batchSize: 8, learningRate: 0.003 }],
    });
    const url = linkUrl('http://x/', { spec, view: defaultView(), autorun: false });
    const back = decodeLink(url);
    expect(back.ok && back.state.spec).toEqual(spec);
    for (const task of [{ kind: 'markov' as const, alphabet: 20, order: 1, concentration: 0.7, context: 16 }, { kind: 'text' as const, corpus: 'kjv', context: 32 }]) {
      const s = ExperimentSpec.parse({ task, model: { kind: 'transformer' } });
      const again = decodeLink(`http://x/#${encodeLink({ spec: s, view: defaultView(), autorun: false })}`);
      expect(again.ok && again.state.spec).toEqual(s);
    }
  });
});

describe('the headless runner and uploads', () => {
  it('asks for a named upload with --data, and names the file it is given as the lab does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-text-'));
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify({ task: { kind: 'text', corpus: 'upload:notes.txt', context: 8 }, model: { kind: 'transformer' } }));
    expect(() => parseCommand([specFile])).toThrow(UsageError);
    expect(() => parseCommand([specFile])).toThrow('This experiment trains on your file "notes.txt", which a link does not carry: give it with --data PATH/notes.txt.');
    writeFileSync(join(dir, 'notes.txt'), prose(3000));
    const command = parseCommand([specFile, '--data', join(dir, 'notes.txt')]);
    expect(command.kind === 'run' && [...command.assets.keys()]).toEqual(['upload:notes.txt']);
    expect(() => parseCommand([specFile, '--data', join(dir, 'missing.txt')])).toThrow(/Cannot read .*missing\.txt/);
  });
});

describe('training on text (cpu backend)', () => {
  onCpuBackendWithoutLeaks();
  const small = utf8(prose(2000));

  it('online is a single pass: a run that would need a second pass stops and says why; offline is not limited', async () => {
    const spec = ExperimentSpec.parse({
      task: { kind: 'text', corpus: 'upload:small.txt', context: 8 },
      model: { kind: 'transformer', layers: 1, width: 16, heads: 2 },
      optimizer: { kind: 'adam' },
      budgetSteps: 200,
      evalEvery: 10,
      probeSize: 16,
      noise: { every: 4 },
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.003 },
        { id: 'b32', batchSize: 32, learningRate: 0.003 },
      ],
    });
    const assets = new Map([['upload:small.txt', small]]);
    const trainer = new Trainer(spec, { groupRuns: false, assets });
    const pass = windowCounts(2000, 8).train; // 237 windows
    while (trainer.active) await trainer.advance(50);
    const runs = trainer.progress();
    for (const run of runs) {
      const B = run.batchSize;
      expect(run.status).toBe('done');
      expect(run.step).toBe(Math.floor(pass / B));
      expect(run.samples).toBeLessThanOrEqual(pass);
      expect(run.reason).toMatch(new RegExp(`used up the ${pass.toLocaleString('en-US')} training samples after ${run.step.toLocaleString('en-US')} steps \\(online training is a single pass`));
    }
    expect(trainer.lossFloor).toBeNull();
    trainer.dispose();

    // Offline: a training set of 64 windows, revisited every epoch, for as long as the budget says.
    const offline = new Trainer({ ...spec, regime: { kind: 'offline', trainSize: 64 }, budgetSteps: 12, evalEvery: 6 }, { groupRuns: true, assets });
    while (offline.active) await offline.advance(12);
    for (const run of offline.progress()) {
      expect(run.status).toBe('done');
      expect(run.step).toBe(12);
      expect(run.reason).toBeUndefined();
      expect(run.trainSetLoss).not.toBeNull();
    }
    offline.dispose();
  });

  it('the transformer learns the Markov source: held-out loss falls well below log V towards the floor', async () => {
    const spec = ExperimentSpec.parse({
      task: { kind: 'markov', alphabet: 6, order: 1, concentration: 0.2, context: 8 },
      model: { kind: 'transformer', layers: 1, width: 16, heads: 2 },
      optimizer: { kind: 'adam' },
      budgetSteps: 80,
      evalEvery: 40,
      probeSize: 64,
      noise: { enabled: false },
      runs: [{ id: 'b16', batchSize: 16, learningRate: 0.02 }],
    });
    const trainer = new Trainer(spec, { groupRuns: false });
    const rows = [];
    while (trainer.active) rows.push(...(await trainer.advance(40)).get('b16')!);
    const evals = rows.filter((r) => r.evalLoss !== undefined).map((r) => r.evalLoss!);
    expect(trainer.lossFloor).toBeGreaterThan(0);
    expect(evals[evals.length - 1]).toBeLessThan(evals[0]);
    expect(evals[evals.length - 1]).toBeLessThan(Math.log(6) - 0.4);
    expect(evals[evals.length - 1]).toBeGreaterThan(trainer.lossFloor! - 0.05);
    trainer.dispose();
  });
});
