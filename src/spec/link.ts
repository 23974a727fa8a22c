/**
 * The link codec: an experiment (spec + view) as a short URL fragment. Defaults are omitted, the JSON is
 * compressed with lz-string (URL-safe alphabet, no escaping needed), and the payload carries the link
 * format version (migrate.ts): older links are upgraded, a link from a newer lab is refused with a clear
 * message instead of being misread. Everything in a link is data, validated against the schemas.
 */
import LZString from 'lz-string';
import { z } from './zod';
import {
  ExperimentSpec,
  LrScheduleSpec,
  ModelSpec,
  RegimeSpec,
  defaultSpec,
  defaultTask,
  formatIssues,
  validateSpec,
  type ExperimentSpecInput,
} from './schema';
import { ViewSpec, defaultView } from './view';
import { ClassroomSpec } from './classroom';
import { LINK_VERSION, migrateEnvelope } from './migrate';

export { LINK_VERSION };

/** The fragment key that carries an experiment: https://host/#e=<payload>. */
export const LINK_KEY = 'e';

export interface LinkState {
  spec: ExperimentSpec;
  view: ViewSpec;
  /** Start training as soon as the link opens (otherwise it waits for "Run"). */
  autorun: boolean;
  /** Classroom mode (absent: off): the controls to hide, with charts and text enlarged. */
  classroom?: ClassroomSpec;
}

export type DecodeResult = { ok: true; state: LinkState } | { ok: false; error: string };

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isPlainObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `value` without the fields equal to `defaults` (recursively); discriminators (`kind`) always stay. */
function omitDefaults(value: Json, defaults: Json | undefined): Json | undefined {
  if (deepEqual(value, defaults)) return undefined;
  if (!isPlainObject(value) || !isPlainObject(defaults)) return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = key === 'kind' ? v : omitDefaults(v, defaults[key]);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/**
 * A discriminated variant (task, schedule): omitted when it equals the spec's default variant, else its
 * kind plus the fields that differ from that kind's own defaults.
 */
function minimalVariant<T extends { kind: string }>(value: T, base: T, kindDefaults: T): Json | undefined {
  if (deepEqual(value, base)) return undefined;
  return { ...(omitDefaults(value as unknown as Json, kindDefaults as unknown as Json) as object), kind: value.kind };
}

/** The spec with what the schema would fill in anyway removed: the smallest input that parses back to it. */
export function minimalSpec(spec: ExperimentSpec): ExperimentSpecInput {
  const base = defaultSpec();
  const { runs, task, model, lrSchedule, regime, version: _version, ...rest } = spec;
  const { runs: _r, task: _t, model: _m, lrSchedule: _l, regime: _g, version: _v, ...restDefaults } = base;
  const minimal = (omitDefaults(rest as unknown as Json, restDefaults as unknown as Json) ?? {}) as Record<string, Json>;
  const minimalTask = minimalVariant(task, base.task, defaultTask(task.kind));
  if (minimalTask !== undefined) minimal.task = minimalTask;
  const minimalModel = minimalVariant(model, base.model, ModelSpec.parse({ kind: model.kind }));
  if (minimalModel !== undefined) minimal.model = minimalModel;
  const minimalSchedule = minimalVariant(lrSchedule, base.lrSchedule, LrScheduleSpec.parse({ kind: lrSchedule.kind }));
  if (minimalSchedule !== undefined) minimal.lrSchedule = minimalSchedule;
  const minimalRegime = minimalVariant(regime, base.regime, RegimeSpec.parse({ kind: regime.kind }));
  if (minimalRegime !== undefined) minimal.regime = minimalRegime;
  if (!deepEqual(runs, base.runs)) {
    minimal.runs = runs.map(({ seed, ...run }) => (seed === 1 ? run : { ...run, seed }));
  }
  return minimal as ExperimentSpecInput;
}

const Envelope = z.object({
  v: z.number().int().positive(),
  s: z.unknown().optional(),
  w: z.unknown().optional(),
  run: z.literal(1).optional(),
  c: z.unknown().optional(),
});

export function encodeLink(state: LinkState): string {
  const envelope: z.infer<typeof Envelope> = { v: LINK_VERSION, s: minimalSpec(state.spec) };
  const view = omitDefaults(state.view as unknown as Json, defaultView() as unknown as Json);
  if (view !== undefined) envelope.w = view;
  if (state.autorun) envelope.run = 1;
  if (state.classroom) envelope.c = state.classroom.hide.length ? { hide: state.classroom.hide } : {};
  return LZString.compressToEncodedURIComponent(JSON.stringify(envelope));
}

/** A full URL for the state, on the given page address (its fragment is replaced). */
export function linkUrl(base: string, state: LinkState): string {
  return `${base.split('#')[0]}#${LINK_KEY}=${encodeLink(state)}`;
}

/** Finds the payload in a full URL, a bare fragment ("#e=…" or "e=…") or the payload itself. */
export function extractPayload(text: string): string {
  const trimmed = text.trim();
  const fragment = trimmed.includes('#') ? trimmed.slice(trimmed.indexOf('#') + 1) : trimmed;
  const params = new URLSearchParams(fragment);
  // URLSearchParams reads '+' (part of lz-string's URL-safe alphabet) as a space: put it back.
  return params.get(LINK_KEY)?.replace(/ /g, '+') ?? fragment;
}

export function decodeLink(text: string): DecodeResult {
  const payload = extractPayload(text);
  if (!payload) return { ok: false, error: 'This link holds no experiment.' };
  let raw: unknown;
  try {
    const json = LZString.decompressFromEncodedURIComponent(payload);
    if (!json) throw new Error('empty');
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: 'This link is damaged: its experiment could not be decoded (was it cut short when copied?).' };
  }
  const envelope = Envelope.safeParse(raw);
  if (!envelope.success) return { ok: false, error: 'This link is not an SGD Noise Lab experiment.' };
  if (envelope.data.v > LINK_VERSION) {
    return {
      ok: false,
      error: `This link was made by a newer version of the lab (format v${envelope.data.v}; this lab reads up to v${LINK_VERSION}). Reload the page to get the latest lab.`,
    };
  }
  const { s, w, run, c } = migrateEnvelope(envelope.data);
  const spec = validateSpec(s ?? {});
  if (!spec.ok) return { ok: false, error: `This link's experiment is invalid: ${formatIssues(spec.issues)}.` };
  const view = ViewSpec.safeParse(w ?? {});
  if (!view.success) return { ok: false, error: "This link's chart settings are invalid." };
  const state: LinkState = { spec: spec.spec, view: view.data, autorun: run === 1 };
  if (c !== undefined) {
    const classroom = ClassroomSpec.safeParse(c);
    if (!classroom.success) return { ok: false, error: "This link's classroom settings are invalid." };
    state.classroom = classroom.data;
  }
  return { ok: true, state };
}
