/**
 * The experiment: the spec the worker trains (`spec`) and the one being edited (`draft`, which may be
 * invalid while a person types). A draft becomes the spec only through `apply`, and only when valid.
 */
import { create } from 'zustand';
import { defaultSpec, validateSpec, type ExperimentSpec, type SpecIssue } from '../../spec/schema';

/** A draft is spec-shaped, but any leaf may hold what a person typed (e.g. "abc" in a number field). */
export type Draft = Record<string, unknown>;

interface ExperimentState {
  spec: ExperimentSpec;
  draft: Draft;
  issues: SpecIssue[];
  /** A message about how the experiment was opened (e.g. a damaged link), shown until dismissed. */
  notice: string | null;
}

export const useExperiment = create<ExperimentState>(() => ({
  spec: defaultSpec(),
  draft: structuredClone(defaultSpec()) as unknown as Draft,
  issues: [],
  notice: null,
}));

/** Immutably sets `value` at `path` (keys and array indices) inside `obj`. */
function setIn(obj: unknown, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container = Array.isArray(obj) ? [...obj] : { ...(obj as Record<string, unknown>) };
  (container as Record<string | number, unknown>)[head] = setIn((obj as Record<string | number, unknown>)?.[head], rest, value);
  return container;
}

export function editDraft(path: (string | number)[], value: unknown): void {
  setDraft(setIn(useExperiment.getState().draft, path, value) as Draft);
}

export function setDraft(draft: Draft): void {
  const result = validateSpec(draft);
  useExperiment.setState({ draft, issues: result.ok ? [] : result.issues });
}

/** Replaces both spec and draft (a link, a preset, or an applied edit). */
export function setSpec(spec: ExperimentSpec, notice: string | null = useExperiment.getState().notice): void {
  useExperiment.setState({ spec, draft: structuredClone(spec) as unknown as Draft, issues: [], notice });
}

/**
 * Adopts a spec changed outside the editor (a fork, a seed twin, a comparison). Edits in progress are kept:
 * runs the draft lacks are appended to it, and its comparisons (not edited there) follow the spec.
 */
export function adoptSpec(spec: ExperimentSpec): void {
  const state = useExperiment.getState();
  if (!draftIsDirty(state)) return setSpec(spec);
  const draftRuns = Array.isArray(state.draft.runs) ? (state.draft.runs as { id?: unknown }[]) : [];
  const known = new Set(draftRuns.map((r) => r.id));
  const added = spec.runs.filter((r) => !known.has(r.id));
  useExperiment.setState({ spec });
  setDraft({ ...state.draft, runs: [...draftRuns, ...structuredClone(added)], comparisons: structuredClone(spec.comparisons) });
}

/** Validates the draft; returns the spec to train, or null (the issues are then in the store). */
export function applyDraft(): ExperimentSpec | null {
  const result = validateSpec(useExperiment.getState().draft);
  if (!result.ok) {
    useExperiment.setState({ issues: result.issues });
    return null;
  }
  setSpec(result.spec);
  return result.spec;
}

export function dismissNotice(): void {
  useExperiment.setState({ notice: null });
}

export function draftIsDirty(state: ExperimentState): boolean {
  return JSON.stringify(state.draft) !== JSON.stringify(state.spec);
}
