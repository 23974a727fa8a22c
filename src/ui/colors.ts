/**
 * Run colours. Colour encodes the noise, so a sweep reads as an ordered family: one hue per batch size
 * (smallest, noisiest, red, through to violet for the largest) and, within it, lighter for a larger learning
 * rate (also noisier). Runs of the same B and η — seed twins — share a colour; the charts tell them apart by
 * name, and draw them as a group where asked. Curves that are not the experiment's (imported runs) take the
 * positional palette.
 */
const PALETTE = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
  '#9c755f', '#bab0ac', '#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#8c564b', '#17becf',
];

export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** Hues from the smallest batch size to the largest, and lightness from the smallest η to the largest. */
const HUE_FIRST = 0;
const HUE_LAST = 265;
const LIGHT_LOW = 30;
const LIGHT_HIGH = 62;

/** Where `value` ranks among `sorted` (distinct, ascending), as a fraction in [0, 1] (0.5 when alone). */
function rank(sorted: number[], value: number): number {
  return sorted.length > 1 ? sorted.indexOf(value) / (sorted.length - 1) : 0.5;
}

/** Each run's colour by its batch size and learning rate, ranked among the experiment's runs. */
export function noiseColors(runs: ReadonlyArray<{ id: string; batchSize: number; learningRate: number }>): Map<string, string> {
  const distinct = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
  const sizes = distinct(runs.map((r) => r.batchSize));
  const rates = distinct(runs.map((r) => r.learningRate));
  return new Map(
    runs.map((r) => {
      const hue = sizes.length > 1 ? HUE_FIRST + rank(sizes, r.batchSize) * (HUE_LAST - HUE_FIRST) : 210;
      const light = LIGHT_LOW + rank(rates, r.learningRate) * (LIGHT_HIGH - LIGHT_LOW);
      return [r.id, `hsl(${Math.round(hue)} 70% ${Math.round(light)}%)`];
    }),
  );
}

/** The colour of every curve: the experiment's runs by their noise, anything else (imports) by position. */
export function curveColors(runs: ReadonlyArray<{ id: string; batchSize: number; learningRate: number }>, ids: readonly string[]): Map<string, string> {
  const byNoise = noiseColors(runs);
  return new Map(ids.map((id, i) => [id, byNoise.get(id) ?? runColor(i)]));
}
