/** Where epochs end on a chart's x-axis (offline regime): the marks and how far they are thinned. */
import type { XAxis } from '../../spec/view';
import { firstIndexAbove, type RunHistory } from './histories';
import { xValues } from './points';
import { niceAtLeast } from './ticks';

/**
 * Where epochs end, for the offline regime's training set of `trainSize` samples. On the samples axis,
 * one mark (run null) at every multiple of the epoch size up to the furthest run; on the other axes, one
 * per run at its first row whose cumulative samples reach a multiple (a fork marks only its own epochs).
 * Marks are thinned to every `every`-th epoch (1, 2, 5, 10, 20, …) so there are at most `maxMarks`.
 */
export function epochMarks(
  histories: RunHistory[],
  trainSize: number,
  axis: XAxis,
  maxMarks = 30,
): { marks: Array<{ x: number; run: string | null }>; every: number } {
  const epochsOf = (samples: number) => Math.floor(samples / trainSize);
  const spans = histories
    .filter((h) => h.rows.length > h.start)
    .map((h) => ({ h, before: h.start > 0 ? h.rows[h.start - 1].samples : 0, last: h.rows[h.rows.length - 1].samples }));
  const total = axis === 'samples' ? epochsOf(Math.max(0, ...spans.map((s) => s.last))) : spans.reduce((n, s) => n + epochsOf(s.last) - epochsOf(s.before), 0);
  const every = niceAtLeast(total / maxMarks);
  const size = every * trainSize;
  const marks: Array<{ x: number; run: string | null }> = [];
  if (axis === 'samples') {
    const last = Math.max(0, ...spans.map((s) => s.last));
    for (let x = size; x <= last; x += size) marks.push({ x, run: null });
    return { marks, every };
  }
  for (const { h, before, last } of spans) {
    // Only here, off the samples axis and for runs that reach an epoch, are the rows' x-values needed.
    const xs = Math.floor(last / size) > Math.floor(before / size) ? xValues(h.rows, axis) : [];
    for (let m = Math.floor(before / size) + 1; m * size <= last; m++) {
      const i = firstIndexAbove(h.rows, (r) => r.samples, m * size - 1);
      if (i < h.rows.length && Number.isFinite(xs[i])) marks.push({ x: xs[i], run: h.id });
    }
  }
  return { marks, every };
}
