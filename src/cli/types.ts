/**
 * The runner's shared types: the backends it trains on, a shard of a sweep, and the parts of its results
 * file that more than one module writes or reads. A leaf (no imports of the runner's own modules), so the
 * command line, the thread pool, the shards and the results depend on it and never on one another in a
 * circle (test/importCycles.test.ts).
 */
import type { MetricRow } from '../engine/trainer';

export const BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type CliBackend = (typeof BACKENDS)[number];

/** The i-th (1-based, as `--shard 1/4` … `4/4`) of n shares. */
export interface Shard {
  index: number;
  count: number;
}

/** A metric row as written to JSON: a loss that was not finite (a diverged run's last row) becomes null. */
export type MetricOut = Omit<MetricRow, 'trainLoss' | 'evalLoss' | 'trainSetLoss'> & {
  trainLoss: number | null;
  evalLoss?: number | null;
  trainSetLoss?: number | null;
};

/**
 * A comparison the spec names, at its level: TV, disagreement and symmetric KL for classifiers (relRms for
 * regression), and the seed baseline's TV (relRms) where a twin reached the level. Null where not computable,
 * with the reason in `note`.
 */
export interface ComparisonOut {
  a: string;
  b: string;
  level: number | null;
  tv: number | null;
  disagreement: number | null;
  kl: number | null;
  relRms?: number | null;
  baselineTv: number | null;
  baselineRelRms?: number | null;
  /** 95 % bootstrap intervals over probe examples (compare.ts), of the headline distance and the baseline's. */
  tvLow?: number;
  tvHigh?: number;
  baselineTvLow?: number;
  baselineTvHigh?: number;
  relRmsLow?: number;
  relRmsHigh?: number;
  baselineRelRmsLow?: number;
  baselineRelRmsHigh?: number;
  /** The pair's distance over the baseline's, with its interval (paired bootstrap). */
  ratio?: number;
  ratioLow?: number;
  ratioHigh?: number;
  note?: string;
}
