/**
 * Link format migration: links made by the first lab (format v1, frozen here as literal strings, generated
 * with that lab's encoder) open in this one with the same experiment and view; the upgrade chain itself.
 */
import { describe, expect, it } from 'vitest';
import { decodeLink, encodeLink } from '../src/spec/link';
import { LINK_VERSION, migrateEnvelope } from '../src/spec/migrate';
import { ExperimentSpec } from '../src/spec/schema';
import { ViewSpec } from '../src/spec/view';
import LZString from 'lz-string';

/** [name, v1 payload, the spec input it was made from, the view input, autorun]. */
const V1_LINKS: Array<[string, string, unknown, unknown, boolean]> = [
  ['default', 'N4IgbiBcCMA0IGcrAL4qA', {}, {}, false],
  ['default-autorun', 'N4IgbiBcCMA0IGcrAL7wE4FcB2VoqA', {}, {}, true],
  [
    'noise-cut-view',
    'N4IgbiBcCMA0IGcqgE4FcB2TIG1QEsATKEAIwA4R5SBDAFwGMALAZXwC8BTKc+AG040UGfBgDmAJXrdIABgB00AL6wCxSGXIBaBmjpUy9Zmy49+g4aMnSoCuCGY1xM0PRZ1OAByjRZf6kZMAGI0DHQA9ihmIHwoACL4YPgIkT5KKmokpABsACwGtIysHDJ55kIi4lIetooZIERZ2gBmkQDWBYEmpbnlllU2corwrSgdkKCeQpwY+hoUBm4e3jB+sukAuiogAO7IIAAeAIIHySQINAC2ngJI-OFiABpQdOic92IAmlDNNHwI70Ql3C4ToTCstQArNt0Bg0kA',
    {
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.1 },
        { id: 'b8-cut', batchSize: 8, learningRate: 0.1, change: { atStep: 1000, batchFactor: 8, lrDivisor: 1 } },
        { id: 'b64', batchSize: 64, learningRate: 0.1 },
        { id: 'b8-fork', batchSize: 64, learningRate: 0.1, fork: { parent: 'b8', atStep: 1000 } },
      ],
    },
    { xAxis: 'samples', logX: true, logY: false, smoothing: 0.5 },
    true,
  ],
  [
    'spiral',
    'N4IgbiBcCMA0IGcqgPYAcAuBLAtlgXgKYBOyIA1lgHYAmUIAhjQziAL7wYMLlmW30MKAJ4AmOhxA4UNQgBs+1OpCly0IeAHcsNDAAsoAZlHxZmA5EPwGAY2xgG2FFUEMqBycQCuVJJADaoDr0AEYAHBogIY42egDKBIRQYfByhAzEVNQA5gBKjkmQAAwAdEXQHEHKUcaR0RixCURGJiBpGVlUeQVQpeWVIMEqIdCiEfD1jYlQoylt6Zk5+RiFfRUAumxsQA',
    {
      task: { kind: 'toy2d', dataset: 'spiral' },
      model: { width: 32, depth: 3, activation: 'tanh' },
      optimizer: { kind: 'adam' },
      runs: [
        { id: 'b8', batchSize: 8, learningRate: 0.01 },
        { id: 'b32', batchSize: 32, learningRate: 0.01 },
        { id: 'b128', batchSize: 128, learningRate: 0.01 },
      ],
    },
    {},
    false,
  ],
  [
    'offline-cosine',
    'N4IgbiBcCMA0IGcqgPYAcAuBLAtlgXgKYBOyIA1lgHYAmUIOKOhVGArjiPI86x1AAYAdAA4AvvCoosCQmUJgSATygAWCSABGbGgHNCGAMoZCaJJACcAgfAA2xQwGMAFoRptbcyKEq16AdwBDYhw2NABaRxQEajl4IJCw41NzAFYBDWJCXVwvH2o6SBAUADMS21iuEAxiQOpDAi9U6AAmTLYqcwBtUCxCkECqzUCMFwaiKGgANjtCYKpqXQAlEa9hAVT4WTcoAGYJXv7A8JKUYnIhkbHGqCnVWfnFlZNBIQ34U-OyNGCWDHpBvARsk0HtrBptoV9gBdDT+MgADwAggiZPR7CCkGIxEA',
    {
      regime: { kind: 'offline', trainSize: 512 },
      lrSchedule: { kind: 'warmup-cosine', warmupSteps: 50 },
      optimizer: { kind: 'momentum', momentum: 0.8 },
      noise: { every: 4 },
      budgetSteps: 900,
      runs: [
        { id: 'a', batchSize: 16, learningRate: 0.05, seed: 3 },
        { id: 'a-fork', batchSize: 64, learningRate: 0.05, seed: 3, fork: { parent: 'a', atStep: 300 } },
      ],
    },
    { xAxis: 'lrSteps' },
    false,
  ],
];

describe('links of the first lab (format v1)', () => {
  for (const [name, payload, spec, view, autorun] of V1_LINKS) {
    it(`${name}: opens with the same experiment, view and autorun`, () => {
      const envelope = JSON.parse(LZString.decompressFromEncodedURIComponent(payload)) as { v: number };
      expect(envelope.v).toBe(1);
      const result = decodeLink(`https://lab.example/#e=${payload}`);
      expect(result).toEqual({ ok: true, state: { spec: ExperimentSpec.parse(spec), view: ViewSpec.parse(view), autorun } });
      // Migrated v1 views take the v2 defaults: noise panel log-y, every panel shown; no classroom mode.
      if (result.ok) {
        expect(result.state.view.noiseLogY).toBe(true);
        expect(result.state.view.hidden).toEqual([]);
        expect(result.state.classroom).toBeUndefined();
        // Re-encoded, it is a current-format link to the same state.
        const again = encodeLink(result.state);
        expect((JSON.parse(LZString.decompressFromEncodedURIComponent(again)) as { v: number }).v).toBe(LINK_VERSION);
        expect(decodeLink(again)).toEqual(result);
      }
    });
  }
});

describe('migrateEnvelope', () => {
  it('upgrades v1 to the current version, keeping every part', () => {
    const v1 = { v: 1, s: { budgetSteps: 5 }, w: { logX: true }, run: 1 as const };
    expect(migrateEnvelope(v1)).toEqual({ ...v1, v: LINK_VERSION });
    expect(migrateEnvelope({ v: LINK_VERSION, s: {} })).toEqual({ v: LINK_VERSION, s: {} });
  });

  it('leaves a newer envelope alone (the codec refuses it before)', () => {
    expect(migrateEnvelope({ v: LINK_VERSION + 1 })).toEqual({ v: LINK_VERSION + 1 });
  });

  it('classroom flags and hidden panels survive a round trip and are absent when off', () => {
    const state = {
      spec: ExperimentSpec.parse({}),
      view: ViewSpec.parse({ hidden: ['noise'], noiseLogY: false }),
      autorun: true,
      classroom: { hide: ['editor' as const, 'fork' as const] },
    };
    expect(decodeLink(encodeLink(state))).toEqual({ ok: true, state });
    const plain = decodeLink(encodeLink({ ...state, classroom: undefined }));
    expect(plain.ok && 'classroom' in plain.state).toBe(false);
    // An empty hide list is still classroom mode.
    expect(decodeLink(encodeLink({ ...state, classroom: { hide: [] } }))).toEqual({ ok: true, state: { ...state, classroom: { hide: [] } } });
  });
});
