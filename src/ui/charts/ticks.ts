/** Axis ticks at round values, and the rounding to 1, 2 or 5 × 10^k they share with the epoch marks. */

/** The smallest of …, 0.1, 0.2, 0.5, 1, 2, 5, 10, … that is at least `v` (> 0), within rounding error. */
function roundUp125(v: number): number {
  const power = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= v * (1 - 1e-12)) ?? 10 * power;
}

/** The smallest of 1, 2, 5, 10, 20, 50, … that is at least `v`: every how many epochs to mark. */
export function niceAtLeast(v: number): number {
  return v > 1 ? roundUp125(v) : 1;
}

/** About `count` evenly spaced ticks at round values (1, 2 or 5 × 10^k apart) inside [min, max]. */
export function linearTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [];
  const step = roundUp125((max - min) / count);
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Ticks for a log axis: 1, 2 and 5 times the powers of ten inside [min, max], thinned to the powers when
 * there are many; over a range too narrow for three of those, round linear ticks instead.
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > min)) return [];
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= min && t <= max) ticks.push(Number(t.toPrecision(3)));
    }
  }
  if (ticks.length < 3) return linearTicks(min, max, 4);
  const powers = ticks.filter((t) => Number.isInteger(Math.log10(t)));
  return ticks.length > 8 && powers.length >= 2 ? powers : ticks;
}
