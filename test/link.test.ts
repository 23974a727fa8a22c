/**
 * The link codec and the spec schema: round trips (default, presets, random specs), short default links,
 * and bad links refused with a specific message, never an exception.
 */
import fc from 'fast-check';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { LINK_KEY, decodeLink, encodeLink, extractPayload, linkUrl, minimalSpec, type LinkState } from '../src/spec/link';
import { PRESETS, findPreset } from '../src/spec/presets';
import {
  ACTIVATIONS,
  ExperimentSpec,
  MAX_BATCH,
  MAX_RUNS,
  SPEC_VERSION,
  TOY_DATASETS,
  defaultSpec,
  defaultTask,
  formatIssues,
  validateSpec,
  type RunSpec,
  type TaskSpec,
} from '../src/spec/schema';
import { GROUP_MODES, PANELS, ViewSpec, X_AXES, defaultView } from '../src/spec/view';
import { CONTROLS } from '../src/spec/classroom';
import { LINK_VERSION } from '../src/spec/migrate';

const state = (spec: ExperimentSpec, view = defaultView(), autorun = false): LinkState => ({ spec, view, autorun });

/** A raw payload with any envelope, bypassing encodeLink. */
const rawPayload = (envelope: unknown) => LZString.compressToEncodedURIComponent(JSON.stringify(envelope));
const payloadOf = (s: unknown) => rawPayload({ v: 1, s });

function expectError(text: string, ...fragments: Array<string | RegExp>): string {
  const result = decodeLink(text);
  expect(result.ok, `decoded: ${JSON.stringify(result)}`).toBe(false);
  const error = (result as { ok: false; error: string }).error;
  expect(error.length).toBeGreaterThan(10);
  for (const f of fragments) {
    if (typeof f === 'string') expect(error).toContain(f);
    else expect(error).toMatch(f);
  }
  return error;
}

describe('round trips', () => {
  it('the default experiment: a short link that decodes to the default', () => {
    const link = encodeLink(state(defaultSpec()));
    expect(link.length).toBeLessThan(40);
    expect(link).toMatch(/^[A-Za-z0-9+$-]+$/); // URL-safe alphabet
    const decoded = decodeLink(link);
    expect(decoded).toEqual({ ok: true, state: state(defaultSpec()) });
    // Nothing but the version is stored for the default.
    expect(JSON.parse(LZString.decompressFromEncodedURIComponent(link))).toEqual({ v: LINK_VERSION, s: {} });
  });

  it('an empty spec object decodes to the default spec; a missing spec too', () => {
    expect(decodeLink(payloadOf({}))).toEqual({ ok: true, state: state(defaultSpec()) });
    expect(decodeLink(rawPayload({ v: 1 }))).toEqual({ ok: true, state: state(defaultSpec()) });
  });

  for (const preset of PRESETS) {
    it(`preset ${preset.name}`, () => {
      const parsed = validateSpec(preset.spec);
      expect(parsed.ok, JSON.stringify(parsed)).toBe(true);
      const spec = (parsed as { ok: true; spec: ExperimentSpec }).spec;
      for (const autorun of [false, true]) {
        const link = encodeLink(state(spec, defaultView(), autorun));
        expect(link.length).toBeLessThan(300);
        expect(decodeLink(link)).toEqual({ ok: true, state: state(spec, defaultView(), autorun) });
      }
      expect(findPreset(preset.name)).toBe(preset);
      expect(preset.title.length).toBeGreaterThan(0);
      expect(preset.lookFor.length).toBeGreaterThan(20);
    });
  }

  it('preset names are unique and findPreset misses unknown names', () => {
    expect(new Set(PRESETS.map((p) => p.name)).size).toBe(PRESETS.length);
    expect(findPreset('no-such-preset')).toBeUndefined();
  });

  it('non-default view and autorun survive; a full URL and a bare fragment decode too', () => {
    const view = ViewSpec.parse({ xAxis: 'samples', logX: true, logY: false, smoothing: 0 });
    const s = state(defaultSpec(), view, true);
    const url = linkUrl('https://lab.example/path/?q=1#old=fragment', s);
    expect(url.startsWith(`https://lab.example/path/?q=1#${LINK_KEY}=`)).toBe(true);
    expect(url).not.toContain('old=fragment');
    expect(decodeLink(url)).toEqual({ ok: true, state: s });
    const payload = encodeLink(s);
    expect(extractPayload(url)).toBe(payload);
    expect(decodeLink(`#${LINK_KEY}=${payload}`)).toEqual({ ok: true, state: s });
    expect(decodeLink(`${LINK_KEY}=${payload}`)).toEqual({ ok: true, state: s });
    expect(decodeLink(`  ${payload}\n`)).toEqual({ ok: true, state: s });
  });

  it('seed groups, their band and hidden members survive a link; a link without them opens with groups off', () => {
    for (const groups of GROUP_MODES) {
      const view = ViewSpec.parse({ groups, members: 'hidden', hidden: ['verdicts'] });
      expect(decodeLink(encodeLink(state(defaultSpec(), view, false)))).toEqual({ ok: true, state: state(defaultSpec(), view, false) });
    }
    // A link made before groups existed (its view names only older fields) still opens, with them off.
    const old = rawPayload({ v: 2, s: {}, w: { xAxis: 'samples', hidden: ['noise'] } });
    const decoded = decodeLink(old);
    expect(decoded.ok && decoded.state.view).toEqual({ ...defaultView(), xAxis: 'samples', hidden: ['noise'], groups: 'off', members: 'faint' });
    expectError(rawPayload({ v: 2, s: {}, w: { groups: 'median' } }), 'chart settings');
  });

  it("a '+' in the payload survives being read from a URL fragment", () => {
    // URLSearchParams reads '+' as a space; the codec must still recover the payload.
    let spec: ExperimentSpec | undefined;
    for (let seed = 0; seed < 500 && !spec; seed++) {
      const candidate = ExperimentSpec.parse({ dataSeed: seed, runs: [{ id: `r${seed}`, batchSize: 8 + seed, learningRate: 0.1 }] });
      if (encodeLink(state(candidate)).includes('+')) spec = candidate;
    }
    expect(spec).toBeDefined();
    const url = linkUrl('https://lab.example/', state(spec!));
    expect(extractPayload(url)).toBe(encodeLink(state(spec!)));
    expect(extractPayload(url)).not.toContain(' ');
    expect(decodeLink(url)).toEqual({ ok: true, state: state(spec!) });
  });

  it('minimalSpec omits defaults but keeps a non-default variant whose fields are all defaults', () => {
    expect(minimalSpec(defaultSpec())).toEqual({});
    const toy = ExperimentSpec.parse({ task: { kind: 'toy2d' } });
    expect(minimalSpec(toy)).toEqual({ task: { kind: 'toy2d' } });
    expect(decodeLink(encodeLink(state(toy)))).toEqual({ ok: true, state: state(toy) });
    const cosine = ExperimentSpec.parse({ lrSchedule: { kind: 'warmup-cosine' } });
    expect(minimalSpec(cosine)).toEqual({ lrSchedule: { kind: 'warmup-cosine' } });
    const someFields = ExperimentSpec.parse({ task: { kind: 'teacher-student', classes: 7 }, model: { width: 8 }, runs: [{ id: 'x', batchSize: 3, learningRate: 0.5, seed: 9 }] });
    expect(minimalSpec(someFields)).toEqual({
      task: { kind: 'teacher-student', classes: 7 },
      model: { kind: 'mlp', width: 8 },
      runs: [{ id: 'x', batchSize: 3, learningRate: 0.5, seed: 9 }],
    });
  });

  it('property: decode(encode(x)) equals x for random valid experiments', () => {
    fc.assert(
      fc.property(arbitraryState(), (s) => {
        // The generated spec is valid and already in parsed form.
        const parsed = validateSpec(s.spec);
        expect(parsed).toEqual({ ok: true, spec: s.spec });
        const decoded = decodeLink(encodeLink(s));
        expect(decoded).toEqual({ ok: true, state: s });
      }),
      { numRuns: 300, seed: 20240601 },
    );
  });
});

describe('bad links', () => {
  it('empty text', () => {
    expectError('', 'no experiment');
    expectError('https://lab.example/#e=', 'no experiment');
  });

  it('garbage text', () => {
    expectError('hello, this is not a link', /damaged|not an SGD Noise Lab/);
    expectError('%%%###!!!', /damaged|not an SGD Noise Lab/);
    expectError('https://lab.example/#e=%%%garbage', /damaged|not an SGD Noise Lab/);
  });

  it('a truncated valid payload is reported as damaged, whatever the cut', () => {
    const full = encodeLink(state(ExperimentSpec.parse(findPreset('spiral-sweep')!.spec)));
    expect(full.length).toBeGreaterThan(30);
    const whole = decodeLink(full);
    for (let cut = 1; cut < full.length - 1; cut++) {
      const result = decodeLink(full.slice(0, cut));
      // A cut that removes only lz-string's end padding loses nothing: it may decode, to the very same state.
      if (result.ok) expect(result, `cut at ${cut} of ${full.length}`).toEqual(whole);
    }
    expectError(full.slice(0, Math.floor(full.length / 2)), 'damaged', 'cut short');
    expectError(full.slice(0, -3), 'damaged');
  });

  it('valid lz-string that is not JSON', () => {
    expectError(LZString.compressToEncodedURIComponent('{"v": 1, "s": {'), 'damaged');
    expectError(LZString.compressToEncodedURIComponent('not json at all'), 'damaged');
  });

  it('JSON that is not an envelope', () => {
    for (const v of [[1, 2], 'text', 42, null, { s: {} }, { v: 0, s: {} }, { v: 1.5 }, { v: '1' }, { v: 1, run: 2 }]) {
      expectError(rawPayload(v), 'not an SGD Noise Lab experiment');
    }
  });

  it('a link from a newer version', () => {
    const error = expectError(rawPayload({ v: LINK_VERSION + 1, s: {} }), 'newer version', `v${LINK_VERSION + 1}`, 'Reload');
    expect(error).not.toContain('invalid');
    // Even if its contents would be invalid here, the version message wins.
    expectError(rawPayload({ v: LINK_VERSION + 1, s: { someFutureField: { x: 1 }, runs: 'new format' } }), 'newer version');
  });

  const run = { id: 'r', batchSize: 8, learningRate: 0.1 };
  const cases: Array<[string, unknown, string[]]> = [
    ['batch size 0', { runs: [{ ...run, batchSize: 0 }] }, ['runs.0.batchSize', 'Batch size must be at least 1']],
    ['batch size too large', { runs: [{ ...run, batchSize: MAX_BATCH + 1 }] }, ['runs.0.batchSize', `at most ${MAX_BATCH}`]],
    ['fractional batch size', { runs: [{ ...run, batchSize: 8.5 }] }, ['Batch size must be a whole number']],
    ['learning rate −1', { runs: [run, { ...run, id: 's', learningRate: -1 }] }, ['runs.1.learningRate', 'Learning rate must be greater than 0']],
    ['learning rate 0', { runs: [{ ...run, learningRate: 0 }] }, ['Learning rate must be greater than 0']],
    ['learning rate NaN (JSON null)', { runs: [{ ...run, learningRate: null }] }, ['runs.0.learningRate', 'Learning rate must be a number']],
    ['learning rate "NaN"', { runs: [{ ...run, learningRate: 'NaN' }] }, ['Learning rate must be a number']],
    ['learning rate "Infinity"', { runs: [{ ...run, learningRate: 'Infinity' }] }, ['Learning rate must be a number']],
    ['learning rate 1e999 (JSON Infinity)', '__INFINITY__', ['Learning rate']],
    ['unknown task kind', { task: { kind: 'images' } }, ['task.kind', 'teacher-student', 'toy2d']],
    ['unknown toy dataset', { task: { kind: 'toy2d', dataset: 'moons' } }, ['task.dataset', 'spiral']],
    ['label flip above ½', { task: { kind: 'toy2d', labelNoise: 0.7 } }, ['task.labelNoise', 'Label flip probability must be at most 0.5']],
    ['teacher scale 0', { task: { kind: 'teacher-student', teacherScale: 0 } }, ['Teacher logit scale must be greater than 0']],
    ['unknown activation', { model: { activation: 'sigmoid' } }, ['model.activation', 'relu']],
    ['unknown optimizer', { optimizer: { kind: 'lion' } }, ['optimizer.kind', 'adam']],
    ['momentum 1', { optimizer: { momentum: 1 } }, ['optimizer.momentum', 'Momentum must be at most 0.999']],
    ['probe set too small', { probeSize: 4 }, ['probeSize', 'Probe set size must be at least 16']],
    ['budget 0', { budgetSteps: 0 }, ['budgetSteps', 'Budget (steps) must be at least 1']],
    ['warmup past the budget', { budgetSteps: 100, lrSchedule: { kind: 'warmup-cosine', warmupSteps: 100 } }, ['lrSchedule.warmupSteps', 'Warmup must end before the budget']],
    ['duplicate run ids', { runs: [run, { ...run, learningRate: 0.2 }] }, ['runs.1.id', 'Run id "r" is used twice']],
    ['bad run id', { runs: [{ ...run, id: 'has space' }] }, ['runs.0.id', 'Run id: 1–24 letters']],
    ['no runs', { runs: [] }, ['runs', 'at least one run']],
    ['too many runs', { runs: Array.from({ length: MAX_RUNS + 1 }, (_, i) => ({ ...run, id: `r${i}` })) }, [`At most ${MAX_RUNS} runs`]],
    ['a spec that is not an object', 'just text', ['expected object']],
  ];
  for (const [name, s, fragments] of cases) {
    it(`out of range: ${name}`, () => {
      const payload =
        s === '__INFINITY__'
          ? LZString.compressToEncodedURIComponent('{"v":1,"s":{"runs":[{"id":"r","batchSize":8,"learningRate":1e999}]}}')
          : payloadOf(s);
      expectError(payload, "This link's experiment is invalid", ...fragments);
    });
  }

  it('invalid chart settings', () => {
    expectError(rawPayload({ v: 1, s: {}, w: { xAxis: 'epochs' } }), 'chart settings');
    expectError(rawPayload({ v: 1, s: {}, w: { smoothing: 2 } }), 'chart settings');
    expectError(rawPayload({ v: 2, s: {}, w: { hidden: ['editor'] } }), 'chart settings');
    expectError(rawPayload({ v: 2, s: {}, w: { noiseLogY: 'yes' } }), 'chart settings');
  });

  it('markup or script anywhere in a link is refused as data, never used', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const run = { id: 'r', batchSize: 8, learningRate: 0.1 };
    for (const envelope of [
      { v: 2, s: { runs: [{ ...run, id: evil }] } },
      { v: 2, s: { task: { kind: evil } } },
      { v: 2, s: { model: { activation: `<script>${evil}</script>` } } },
      { v: 2, s: {}, w: { xAxis: evil } },
      { v: 2, s: {}, w: { hidden: [evil] } },
      { v: 2, s: {}, c: { hide: [evil] } },
      { v: 2, s: { runs: [{ ...run, fork: { parent: evil, atStep: 1 } }] } },
    ]) {
      const result = decodeLink(rawPayload(envelope));
      expect(result.ok, JSON.stringify(envelope)).toBe(false);
    }
    // Unknown fields are dropped by the schema, not carried along.
    const extra = decodeLink(rawPayload({ v: 2, s: { notes: evil }, w: { title: evil } }));
    expect(extra.ok).toBe(true);
    expect(JSON.stringify(extra)).not.toContain('onerror');
  });

  it('invalid classroom settings', () => {
    expectError(rawPayload({ v: 2, s: {}, c: { hide: ['play'] } }), 'classroom settings');
    expectError(rawPayload({ v: 2, s: {}, c: 'all' }), 'classroom settings');
  });

  it('1,000 randomly mutated payloads never throw: a notice or a valid experiment', () => {
    const views = [defaultView(), ViewSpec.parse({ xAxis: 'samples', hidden: ['noise', 'runTable'], noiseLogY: false })];
    const valid = [defaultSpec(), ...PRESETS.map((p) => ExperimentSpec.parse(p.spec))].flatMap((s, i) => [
      encodeLink(state(s, defaultView(), true)),
      encodeLink({ ...state(s, views[i % 2], false), classroom: { hide: ['editor', 'fork'] } }),
    ]);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$';
    const edit = fc.oneof(
      fc.record({ op: fc.constant('replace' as const), at: fc.nat(), ch: fc.constantFrom(...alphabet, ' ', '%', '#', '=', '&', '\u00e9') }),
      fc.record({ op: fc.constant('insert' as const), at: fc.nat(), ch: fc.constantFrom(...alphabet) }),
      fc.record({ op: fc.constant('delete' as const), at: fc.nat(), ch: fc.constant('') }),
    );
    let rejected = 0;
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 6 }), (which, edits) => {
        let p = valid[which];
        for (const { op, at, ch } of edits) {
          const i = at % (p.length + 1);
          p = op === 'insert' ? p.slice(0, i) + ch + p.slice(i) : p.slice(0, i) + ch + p.slice(i + 1);
        }
        const result = decodeLink(p); // must not throw
        if (result.ok) {
          // If a mutation still decodes, it decodes to a valid experiment (and view).
          expect(validateSpec(result.state.spec)).toEqual({ ok: true, spec: result.state.spec });
          expect(ViewSpec.parse(result.state.view)).toEqual(result.state.view);
        } else {
          rejected++;
          expect(typeof result.error).toBe('string');
          expect(result.error.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 1000, seed: 7 },
    );
    expect(rejected).toBeGreaterThan(500);
  });

  it('1,000 arbitrary strings never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const result = decodeLink(text);
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.error.length).toBeGreaterThan(10);
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('1,000 random JSON envelopes never throw: a notice or a valid experiment', () => {
    const anyJson = fc.jsonValue({ maxDepth: 4 });
    const envelope = fc.record(
      { v: fc.oneof(fc.constantFrom(1, 2, 3), anyJson), s: fc.oneof(anyJson, fc.constant({})), w: anyJson, run: fc.oneof(fc.constant(1), anyJson), c: anyJson },
      { requiredKeys: ['v'] },
    );
    fc.assert(
      fc.property(envelope, (e) => {
        const result = decodeLink(rawPayload(e));
        if (result.ok) expect(validateSpec(result.state.spec)).toEqual({ ok: true, spec: result.state.spec });
        else expect(result.error.length).toBeGreaterThan(10);
      }),
      { numRuns: 1000, seed: 13 },
    );
  });
});

describe('validateSpec', () => {
  it('accepts the default and reports every problem with its field path', () => {
    expect(validateSpec({})).toEqual({ ok: true, spec: defaultSpec() });
    const result = validateSpec({
      budgetSteps: -5,
      model: { width: 0 },
      runs: [
        { id: 'a', batchSize: 0, learningRate: 0.1 },
        { id: 'b', batchSize: 8, learningRate: 'fast' },
      ],
    });
    expect(result.ok).toBe(false);
    const issues = (result as { ok: false; issues: Array<{ path: string; message: string }> }).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'budgetSteps', message: 'Budget (steps) must be at least 1' },
        { path: 'model.width', message: 'Width must be at least 1' },
        { path: 'runs.0.batchSize', message: 'Batch size must be at least 1' },
        { path: 'runs.1.learningRate', message: 'Learning rate must be a number' },
      ]),
    );
    expect(formatIssues(issues)).toContain('runs.0.batchSize: Batch size must be at least 1');
    expect(formatIssues([{ path: '', message: 'Top level' }])).toBe('Top level');
  });

  it('fills defaults, including per-run seeds and the defaults of a chosen task kind', () => {
    const r = validateSpec({ task: { kind: 'toy2d' }, runs: [{ id: 'x', batchSize: 4, learningRate: 1 }] });
    expect(r.ok).toBe(true);
    const s = (r as { ok: true; spec: ExperimentSpec }).spec;
    expect(s.task).toEqual(defaultTask('toy2d'));
    expect(s.task).toEqual({ kind: 'toy2d', dataset: 'spiral', labelNoise: 0.05 });
    expect(s.runs).toEqual([{ id: 'x', batchSize: 4, learningRate: 1, seed: 1 }]);
    expect(s.version).toBe(SPEC_VERSION);
    expect(defaultSpec().runs.map((run) => run.batchSize)).toEqual([8, 32, 128, 512]);
  });

  it('refuses a spec of another version', () => {
    const r = validateSpec({ version: 2 });
    expect(r.ok).toBe(false);
    expect((r as { ok: false; issues: Array<{ path: string }> }).issues[0].path).toBe('version');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Random valid experiments, already in parsed form. Each field is often its default, so the omission logic
// of the codec is exercised as much as the encoding of other values.

function orDefault<T>(arb: fc.Arbitrary<T>, value: T): fc.Arbitrary<T> {
  return fc.oneof({ arbitrary: fc.constant(value), weight: 1 }, { arbitrary: arb, weight: 2 });
}

const dbl = (min: number, max: number, minExcluded = false) => fc.double({ min, max, minExcluded, noNaN: true });

function arbitraryTask(): fc.Arbitrary<TaskSpec> {
  const ts = defaultTask('teacher-student') as Extract<TaskSpec, { kind: 'teacher-student' }>;
  const toy = defaultTask('toy2d') as Extract<TaskSpec, { kind: 'toy2d' }>;
  return fc.oneof(
    fc.record({
      kind: fc.constant('teacher-student' as const),
      output: orDefault(fc.constantFrom('classification' as const, 'regression' as const), ts.output),
      inputDim: orDefault(fc.integer({ min: 1, max: 1024 }), ts.inputDim),
      teacherWidth: orDefault(fc.integer({ min: 1, max: 1024 }), ts.teacherWidth),
      classes: orDefault(fc.integer({ min: 2, max: 100 }), ts.classes),
      teacherScale: orDefault(dbl(0, 100, true), ts.teacherScale),
      labelNoise: orDefault(dbl(0, 10), ts.labelNoise),
    }),
    fc.record({
      kind: fc.constant('toy2d' as const),
      dataset: orDefault(fc.constantFrom(...TOY_DATASETS), toy.dataset),
      labelNoise: orDefault(dbl(0, 0.5), toy.labelNoise),
    }),
  );
}

function arbitrarySpec(): fc.Arbitrary<ExperimentSpec> {
  const d = defaultSpec();
  const dm = d.model as Extract<ExperimentSpec['model'], { kind: 'mlp' }>;
  const runId = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
  const run = fc.record({
    id: runId,
    batchSize: fc.integer({ min: 1, max: MAX_BATCH }),
    learningRate: dbl(0, 100, true),
    seed: orDefault(fc.integer({ min: 0, max: 2 ** 31 - 1 }), 1),
  });
  return fc
    .record({
      task: orDefault(arbitraryTask(), d.task),
      dataSeed: orDefault(fc.integer({ min: 0, max: 2 ** 31 - 1 }), d.dataSeed),
      model: orDefault(
        fc.record({
          kind: fc.constant('mlp' as const),
          width: orDefault(fc.integer({ min: 1, max: 4096 }), dm.width),
          depth: orDefault(fc.integer({ min: 1, max: 8 }), dm.depth),
          activation: orDefault(fc.constantFrom(...ACTIVATIONS), dm.activation),
        }),
        dm,
      ),
      optimizer: orDefault(
        fc.record({
          kind: orDefault(fc.constantFrom('sgd' as const, 'momentum' as const, 'adam' as const), d.optimizer.kind),
          momentum: orDefault(dbl(0, 0.999), d.optimizer.momentum),
          beta1: orDefault(dbl(0, 0.999), d.optimizer.beta1),
          beta2: orDefault(dbl(0, 0.99999), d.optimizer.beta2),
          epsilon: orDefault(dbl(0, 1, true), d.optimizer.epsilon),
        }),
        d.optimizer,
      ),
      budgetSteps: orDefault(fc.integer({ min: 2, max: 1_000_000 }), d.budgetSteps),
      schedule: fc.oneof(
        fc.constant({ kind: 'constant' as const }),
        fc.record({
          kind: fc.constant('warmup-cosine' as const),
          warmupFraction: orDefault(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), 0),
          finalFactor: orDefault(dbl(0, 1), 0),
        }),
      ),
      evalEvery: orDefault(fc.integer({ min: 1, max: 100_000 }), d.evalEvery),
      probeSize: orDefault(fc.integer({ min: 16, max: 8192 }), d.probeSize),
      runs: orDefault(fc.uniqueArray(run, { minLength: 1, maxLength: 8, selector: (r) => r.id }), d.runs),
      regime: fc.oneof(fc.constant({ kind: 'online' as const }), fc.record({ kind: fc.constant('offline' as const), extra: fc.integer({ min: 0, max: 5000 }) })),
      noise: orDefault(
        fc.record({
          enabled: fc.boolean(),
          microBatches: fc.integer({ min: 2, max: 64 }),
          every: fc.integer({ min: 1, max: 10_000 }),
          smoothing: dbl(0, 0.9999),
        }),
        d.noise,
      ),
      ladderDraw: fc.record({
        levels: orDefault(fc.integer({ min: 2, max: 40 }), d.ladder.levels),
        top: fc.option(dbl(1e-3, 100), { nil: undefined }),
        bottomFraction: fc.option(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { nil: undefined }),
      }),
      comparisonDraws: fc.array(fc.record({ a: fc.nat(), b: fc.nat(), level: fc.option(dbl(0, 10, true), { nil: undefined }) }), { maxLength: 3 }),
      // Per run: maybe a scheduled change, maybe a fork of an earlier run (positions as fractions).
      extras: fc.array(
        fc.record({
          change: fc.option(fc.record({ at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), factor: fc.constantFrom(0.5, 1, 2, 4), divisor: dbl(0, 1e6, true) })),
          fork: fc.option(fc.record({ parent: fc.nat(), at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }) })),
        }),
        { maxLength: 8 },
      ),
    })
    .map(({ schedule, runs: baseRuns, regime: regimeDraw, extras, ladderDraw, comparisonDraws, ...rest }) => {
      // Warmup must end before the budget: pick it as a fraction of the budget (default 100 when it fits).
      const lrSchedule =
        schedule.kind === 'constant'
          ? schedule
          : {
              kind: schedule.kind,
              warmupSteps:
                schedule.warmupFraction === 0 && rest.budgetSteps > 100
                  ? 100
                  : Math.floor(schedule.warmupFraction * rest.budgetSteps),
              finalFactor: schedule.finalFactor,
            };
      const budget = rest.budgetSteps;
      const runs: RunSpec[] = [];
      baseRuns.forEach((r, i) => {
        const out: RunSpec = { ...r };
        const extra = extras[i];
        if (extra?.fork && i > 0) {
          const parent = runs[extra.fork.parent % i];
          out.seed = parent.seed;
          out.fork = { parent: parent.id, atStep: Math.floor(extra.fork.at * (budget - 1)) };
        }
        const factor = extra?.change?.factor === 0.5 && r.batchSize % 2 ? 1 : extra?.change?.factor;
        if (extra?.change && factor && r.batchSize * factor <= MAX_BATCH) {
          const after = out.fork ? out.fork.atStep + 1 : 1;
          if (after < budget) {
            out.change = { atStep: after + Math.floor(extra.change.at * (budget - after)), batchFactor: factor, lrDivisor: extra.change.divisor };
          }
        }
        runs.push(out);
      });
      // Offline, every batch (also after a change) must fit in the training set.
      const largest = Math.max(...runs.map((r) => r.batchSize * Math.max(1, r.change?.batchFactor ?? 1)));
      const regime = regimeDraw.kind === 'online' ? regimeDraw : { kind: 'offline' as const, trainSize: Math.min(200_000, Math.max(16, largest) + regimeDraw.extra) };
      const { levels, top, bottomFraction } = ladderDraw;
      const ladder = { levels, ...(top !== undefined ? { top } : {}), ...(top !== undefined && bottomFraction !== undefined ? { bottom: top * bottomFraction } : {}) };
      const comparisons =
        runs.length < 2
          ? []
          : comparisonDraws.map(({ a, b, level }) => {
              const i = a % runs.length;
              const j = (i + 1 + (b % (runs.length - 1))) % runs.length; // never i
              return { a: runs[i].id, b: runs[j].id, level: level ?? ('lowest' as const) };
            });
      return { version: SPEC_VERSION, ...rest, lrSchedule, regime, runs, ladder, comparisons } as ExperimentSpec;
    });
}

function arbitraryState(): fc.Arbitrary<LinkState> {
  const v = defaultView();
  return fc.record(
    {
      spec: arbitrarySpec(),
      view: fc.record({
        xAxis: orDefault(fc.constantFrom(...X_AXES), v.xAxis),
        logX: fc.boolean(),
        logY: fc.boolean(),
        smoothing: orDefault(dbl(0, 0.99), v.smoothing),
        noiseLogY: fc.boolean(),
        hidden: orDefault(fc.subarray([...PANELS]), v.hidden),
        comparison: orDefault(fc.integer({ min: 0, max: 63 }), v.comparison),
        groups: orDefault(fc.constantFrom(...GROUP_MODES), v.groups),
        members: orDefault(fc.constantFrom('faint' as const, 'hidden' as const), v.members),
      }),
      autorun: fc.boolean(),
      classroom: fc.record({ hide: fc.subarray([...CONTROLS]) }),
    },
    { requiredKeys: ['spec', 'view', 'autorun'] },
  );
}
