/**
 * What leaves the lab and what comes back: metric rows as CSV (one row per run per recorded step, the run's
 * settings as columns) and JSON, the experiment as JSON, and the parser of imports (our JSON export or the
 * headless runner's results file). Whole objects are written — the run's spec, its progress, every field of
 * every metric row — so fields added to them later are exported without this file changing. No DOM here.
 */
import { z } from '../../spec/zod';
import type { MetricRow, RunProgress } from '../../engine/trainer';
import { SPEC_VERSION, formatIssues, validateSpec, type ExperimentSpec, type RunSpec } from '../../spec/schema';
import type { ViewSpec } from '../../spec/view';

export const EXPORT_FORMAT = 'sgd-noise-lab/results';
export const EXPORT_VERSION = 1;
/** Larger imports are refused before parsing (a default run of 3,000 steps is ~0.5 MB per run). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export interface ExportInput {
  spec: ExperimentSpec;
  view: ViewSpec;
  runs: RunProgress[];
  metrics: Record<string, MetricRow[]>;
  lossFloor: number | null;
  backend: string | null;
  /** Anything else the page keeps per run (e.g. loss-ladder points), by field, then run id: exported with each run. */
  perRun?: Record<string, Record<string, unknown>>;
  /** Anything else the page keeps for the experiment as a whole (e.g. the probe set's description). */
  extra?: Record<string, unknown>;
}

export interface ExportedRun {
  id: string;
  spec: RunSpec;
  progress: RunProgress | null;
  metrics: MetricRow[];
  [field: string]: unknown;
}

export interface ExportedResults {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  backend: string | null;
  spec: ExperimentSpec;
  view: ViewSpec;
  lossFloor: number | null;
  runs: ExportedRun[];
  extra?: Record<string, unknown>;
}

/** Typed arrays (model outputs) as plain arrays. */
const plainArrays = (_key: string, value: unknown) => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as Float32Array) : value);

/** The metrics and everything needed to read them, as one JSON document (non-finite numbers become null). */
export function resultsJson(input: ExportInput): string {
  const progress = new Map(input.runs.map((r) => [r.id, r]));
  const doc: ExportedResults = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: new Date().toISOString(),
    backend: input.backend,
    spec: input.spec,
    view: input.view,
    lossFloor: input.lossFloor,
    runs: input.spec.runs.map((spec) => {
      const extras = Object.fromEntries(Object.entries(input.perRun ?? {}).flatMap(([field, byRun]) => (spec.id in byRun ? [[field, byRun[spec.id]]] : [])));
      return { ...extras, id: spec.id, spec, progress: progress.get(spec.id) ?? null, metrics: input.metrics[spec.id] ?? [] };
    }),
    ...(input.extra && Object.keys(input.extra).length ? { extra: input.extra } : {}),
  };
  return JSON.stringify(doc, plainArrays);
}

/** The experiment alone: a spec file that the lab imports and the headless runner runs. */
export function experimentJson(spec: ExperimentSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** Nested objects as dotted keys: { change: { atStep: 5 } } → { 'change.atStep': 5 }. */
export function flatten(value: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, name, out);
    else out[name] = v;
  }
  return out;
}

function csvCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const text = Array.isArray(v) || typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Keys in order of first appearance. */
function unionKeys(objects: Iterable<Record<string, unknown>>): string[] {
  const keys = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o)) keys.add(k);
  return [...keys];
}

/**
 * One line per run per recorded step: the run's settings (its spec, flattened, prefixed `run.`; and the
 * experiment's regime) then every metric of the row. A metric a row lacks (held-out loss between
 * evaluations) is an empty cell; numbers are written in full precision.
 */
export function metricsCsv(input: Pick<ExportInput, 'spec' | 'metrics'>): string {
  const settings = input.spec.runs.map((run): Record<string, unknown> => ({ ...flatten(run as unknown as Record<string, unknown>, 'run'), regime: input.spec.regime.kind }));
  const settingKeys = unionKeys(settings);
  const allRows = function* () {
    for (const run of input.spec.runs) yield* (input.metrics[run.id] ?? []) as unknown as Record<string, unknown>[];
  };
  const metricKeys = unionKeys(allRows());
  const lines = [[...settingKeys, ...metricKeys].map(csvCell).join(',')];
  input.spec.runs.forEach((run, i) => {
    const prefix = settingKeys.map((k) => csvCell(settings[i][k]));
    for (const row of input.metrics[run.id] ?? []) {
      const r = row as unknown as Record<string, unknown>;
      lines.push([...prefix, ...metricKeys.map((k) => csvCell(r[k]))].join(','));
    }
  });
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Import

export interface ImportedRun {
  /** The run's id in the file. */
  id: string;
  fork?: { parent: string; atStep: number };
  /** The run's settings, flattened (for the list and tooltips). */
  settings: Record<string, unknown>;
  rows: MetricRow[];
}

export interface ImportedResults {
  spec: ExperimentSpec;
  lossFloor: number | null;
  runs: ImportedRun[];
  /** Which kind of file it was. */
  source: 'export' | 'runner';
}

export type ImportResult = { ok: true; results: ImportedResults } | { ok: false; error: string };

// `true` marks a flag (noiseUnresolved: B_simple not resolved on that row).
const Row = z.record(z.string(), z.union([z.number(), z.null(), z.literal(true)])).refine((r) => typeof r.step === 'number' && Number.isFinite(r.step), {
  error: 'a metric row without a step',
});
const Run = z.looseObject({
  id: z.string().min(1).max(64),
  metrics: z.array(Row),
});
const Results = z.looseObject({
  spec: z.unknown(),
  lossFloor: z.union([z.number(), z.null()]).optional(),
  runs: z.array(Run).max(1000),
});

/** A metric row as read back: nulls (non-finite numbers) become NaN where required, and are dropped elsewhere. */
function readRow(raw: Record<string, number | null | true>): MetricRow {
  const row: Record<string, number | true> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== null) row[k] = v;
    else if (k === 'trainLoss') row[k] = NaN;
  }
  return row as unknown as MetricRow;
}

export function tooLarge(name: string, bytes: number, maxBytes = MAX_IMPORT_BYTES): string {
  const mb = (n: number) => `${(n / 1048576).toFixed(n < 1048576 ? 2 : 0)} MB`;
  return `${name} is too large to import (${mb(bytes)}; the limit is ${mb(maxBytes)}).`;
}

/**
 * Reads an import: our JSON export, or the headless runner's results file. Never throws; anything else —
 * not JSON, cut short, someone else's file, a newer version, too large, values of the wrong type — is
 * refused with a message, and nothing is changed.
 */
export function parseImport(text: string, name = 'The file', maxBytes = MAX_IMPORT_BYTES): ImportResult {
  if (text.length > maxBytes) return { ok: false, error: tooLarge(name, text.length, maxBytes) };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const trimmed = text.trim();
    const cut = trimmed.startsWith('{') && !trimmed.endsWith('}');
    return { ok: false, error: cut ? `${name} is cut short: its JSON ends before it is complete.` : `${name} is not JSON: it is not an SGD Noise Lab export or results file.` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, error: `${name} is not an SGD Noise Lab export or results file.` };
  const obj = raw as Record<string, unknown>;
  const isExport = obj.format === EXPORT_FORMAT;
  if (obj.format !== undefined && !isExport) return { ok: false, error: `${name} is not an SGD Noise Lab export (its format is "${String(obj.format).slice(0, 40)}").` };
  if (isExport && !(typeof obj.version === 'number' && obj.version <= EXPORT_VERSION)) {
    return { ok: false, error: `${name} was exported by a newer version of the lab (format v${String(obj.version).slice(0, 10)}; this lab reads up to v${EXPORT_VERSION}). Reload the page to get the latest lab.` };
  }
  const specVersion = (obj.spec as { version?: unknown } | null)?.version;
  if (typeof specVersion === 'number' && specVersion > SPEC_VERSION) {
    return { ok: false, error: `${name} holds an experiment from a newer version of the lab (spec v${specVersion}; this lab reads up to v${SPEC_VERSION}).` };
  }
  const parsed = Results.safeParse(raw);
  if (!parsed.success || obj.spec === undefined) {
    const issue = parsed.success ? 'it has no experiment' : formatIssues(parsed.error.issues.slice(0, 3).map((i) => ({ path: i.path.join('.'), message: i.message })));
    return { ok: false, error: `${name} is not an SGD Noise Lab export or results file (${issue}).` };
  }
  const spec = validateSpec(parsed.data.spec);
  if (!spec.ok) return { ok: false, error: `${name} holds an invalid experiment: ${formatIssues(spec.issues.slice(0, 3))}.` };
  const runs = parsed.data.runs.map((run): ImportedRun => {
    const r = run as Record<string, unknown>;
    const runSpec = (isExport ? r.spec : undefined) as RunSpec | undefined;
    const { metrics: _m, progress: _p, spec: _s, ...rest } = r;
    const settings = flatten((runSpec ?? rest) as Record<string, unknown>);
    const fork = runSpec?.fork ?? (typeof r.parent === 'string' && typeof r.forkStep === 'number' ? { parent: r.parent, atStep: r.forkStep } : undefined);
    return { id: run.id, ...(fork ? { fork } : {}), settings, rows: run.metrics.map(readRow) };
  });
  return { ok: true, results: { spec: spec.spec, lossFloor: parsed.data.lossFloor ?? null, runs, source: isExport ? 'export' : 'runner' } };
}
