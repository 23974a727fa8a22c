import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ESTIMATING, fmtNoiseScale, intervalText, noiseReading, type NoiseScaleFields } from '../src/ui/noiseReading';

describe('what the lab shows for B_simple', () => {
  it('a value only with its interval; "estimating" before one exists; "not resolved"; or nothing', () => {
    expect(noiseReading({ noiseScale: 120, noiseScaleLow: 80, noiseScaleHigh: 200 })).toEqual({ kind: 'value', scale: 120, low: 80, high: 200 });
    expect(noiseReading({ noiseScale: null, noiseEstimating: true })).toEqual({ kind: 'estimating' });
    expect(noiseReading({ noiseUnresolved: true })).toEqual({ kind: 'unresolved' });
    expect(noiseReading({ noiseScale: null })).toEqual({ kind: 'none' });
    expect(noiseReading(undefined)).toEqual({ kind: 'none' });
    // A bare value (a record saved before the runner and the lab stopped writing them) is not shown as one.
    expect(noiseReading({ noiseScale: 120 })).toEqual({ kind: 'estimating' });
    expect(noiseReading({ noiseScale: 120, noiseScaleLow: 80 })).toEqual({ kind: 'estimating' });
    expect(ESTIMATING).toBe('estimating…');
    expect(intervalText({ low: 80.44, high: 1234.5 })).toBe('95 % interval [80.4, 1,235]');
    expect(fmtNoiseScale(null)).toBe('–');
  });

  it('never gives a value without an interval, whatever the fields', () => {
    const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
    const fields: fc.Arbitrary<NoiseScaleFields> = fc.record({
      noiseScale: fc.option(fc.double(), { nil: undefined }),
      noiseScaleLow: maybe(fc.double()),
      noiseScaleHigh: maybe(fc.double()),
      noiseUnresolved: maybe(fc.boolean()),
      noiseEstimating: maybe(fc.boolean()),
    });
    fc.assert(
      fc.property(fields, (f) => {
        const r = noiseReading(f);
        if (r.kind === 'value') {
          expect(f.noiseScaleLow !== undefined && f.noiseScaleHigh !== undefined && !f.noiseUnresolved).toBe(true);
          expect([r.scale, r.low, r.high]).toEqual([f.noiseScale, f.noiseScaleLow, f.noiseScaleHigh]);
        }
        if (f.noiseUnresolved) expect(r.kind).toBe('unresolved');
      }),
    );
  });
});
