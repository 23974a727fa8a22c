/** The demo gallery: one demo per claim of SCIENCE.md, each on an existing preset, with a classroom link. */
import { describe, expect, it } from 'vitest';
import { CLASSROOM_DEFAULT_HIDE, ClassroomSpec } from '../src/spec/classroom';
import { DEMOS } from '../src/spec/gallery';
import { decodeLink, encodeLink } from '../src/spec/link';
import { findPreset } from '../src/spec/presets';
import { ExperimentSpec } from '../src/spec/schema';
import { ViewSpec } from '../src/spec/view';

describe('gallery', () => {
  it('one demo per claim: online sweep, offline contrast, noise reduction, equal-loss distance, and the sweep on images and language', () => {
    expect(DEMOS.map((d) => d.preset)).toEqual(['online-batch-sweep', 'offline-batch-sweep', 'online-noise-cut', 'equal-loss-online', 'digits-online-demo', 'markov-online-demo']);
  });

  for (const demo of DEMOS) {
    it(`${demo.preset}: its presets exist and validate; notes are there; its classroom link round-trips`, () => {
      for (const name of [demo.preset, ...(demo.contrast ? [demo.contrast.preset] : [])]) {
        const preset = findPreset(name);
        expect(preset, name).toBeDefined();
        expect(ExperimentSpec.safeParse(preset!.spec).success).toBe(true);
      }
      expect(demo.lookFor.length).toBeGreaterThan(40);
      expect(demo.expect.length).toBeGreaterThan(40);
      const state = { spec: ExperimentSpec.parse(findPreset(demo.preset)!.spec), view: ViewSpec.parse(demo.view ?? {}), autorun: true, classroom: { hide: CLASSROOM_DEFAULT_HIDE } };
      expect(decodeLink(encodeLink(state))).toEqual({ ok: true, state });
    });
  }

  it('no classroom link can hide play, pause or reset', () => {
    for (const c of ['play', 'pause', 'reset']) expect(ClassroomSpec.safeParse({ hide: [c] }).success, c).toBe(false);
  });
});
