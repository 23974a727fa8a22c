/**
 * What the lab shows for B_simple, from a metric row or a run's progress: its value with its 95 % interval,
 * "estimating…" until the interval exists, "not resolved" where the interval of |G|² reaches zero, or
 * nothing (noise not measured). No B_simple is ever shown without its uncertainty: a value without an
 * interval (only in records saved or exported before the engine stopped writing them) reads as estimating.
 */

export type NoiseReading =
  | { kind: 'value'; scale: number; low: number; high: number }
  | { kind: 'estimating' }
  | { kind: 'unresolved' }
  | { kind: 'none' };

/** The B_simple fields of a metric row (MetricRow) or a run's progress (RunProgress). */
export interface NoiseScaleFields {
  noiseScale?: number | null;
  noiseScaleLow?: number;
  noiseScaleHigh?: number;
  noiseUnresolved?: boolean;
  noiseEstimating?: boolean;
}

export function noiseReading(f: NoiseScaleFields | undefined): NoiseReading {
  if (!f) return { kind: 'none' };
  if (f.noiseUnresolved) return { kind: 'unresolved' };
  const { noiseScale: scale, noiseScaleLow: low, noiseScaleHigh: high } = f;
  if (typeof scale === 'number' && Number.isFinite(scale)) {
    return low !== undefined && high !== undefined ? { kind: 'value', scale, low, high } : { kind: 'estimating' };
  }
  return f.noiseEstimating ? { kind: 'estimating' } : { kind: 'none' };
}

/** What a person reads where B_simple has no interval yet. */
export const ESTIMATING = 'estimating…';

/** Why, in a tooltip. */
export const ESTIMATING_WHY = 'B_simple is shown once a few noise measurements give it a 95 % interval';

/** B_simple: a whole number once it is large, 3 digits below that. */
export const fmtNoiseScale = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString();

/** "95 % interval [lo, hi]" of a reading with a value. */
export const intervalText = (r: { low: number; high: number }) => `95 % interval [${fmtNoiseScale(r.low)}, ${fmtNoiseScale(r.high)}]`;
