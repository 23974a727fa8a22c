/**
 * Saved experiments in IndexedDB (through idb-keyval): each experiment a person trains is kept as it
 * trains — spec, view, every run's progress and metric rows, and the latest trainer checkpoint — so a reload
 * or a crashed tab can restore it and resume. Per experiment: a small `meta:` record for the list, the
 * `data:` one (whole objects, stored as they are: fields added to them later are kept too), and per-run
 * lists of stepped entries (metric rows, ladder points) in `chunk:` records of CHUNK entries, so that a save
 * writes only what is new: cloning every row of 16 runs × 10,000 steps at each save blocked the page for
 * 300–700 ms (Node's structuredClone), one or two chunks per run a few ms.
 * The module knows nothing of React or the stores; errors are turned into StorageError with a kind.
 */
import { createStore, delMany, get, getMany, keys, setMany, type UseStore } from 'idb-keyval';
import { isCheckpoint, type TrainerCheckpoint } from '../engine/checkpoint';
import type { MetricRow, RunProgress } from '../engine/trainer';
import type { ClassroomSpec } from '../spec/classroom';
import { validateSpec, type ExperimentSpec } from '../spec/schema';
import type { ViewSpec } from '../spec/view';

export interface SavedMeta {
  id: string;
  name: string;
  createdAt: number;
  savedAt: number;
  runs: number;
  /** The furthest step of any run. */
  steps: number;
  /** Approximate size of the record in bytes (metric rows and tensors). */
  bytes: number;
}

/**
 * What the page holds of its runs (the runs store without its transient fields): their progress, metric
 * rows, loss floor, and whatever else is kept per run there (e.g. loss-ladder points), stored whole.
 */
export type RunsData = { runs: RunProgress[]; metrics: Record<string, MetricRow[]>; lossFloor: number | null } & Record<string, unknown>;

export interface SavedExperiment {
  id: string;
  spec: ExperimentSpec;
  view: ViewSpec;
  classroom: ClassroomSpec | null;
  data: RunsData;
  /** The latest checkpoint of the worker's trainer; null until the first arrives. */
  checkpoint: TrainerCheckpoint | null;
}

/** A damaged record: a saved experiment that cannot be reopened (its message says why). */
export type StorageErrorKind = 'full' | 'unavailable' | 'damaged' | 'other';

export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
  ) {
    super(message);
  }
}

let store: UseStore | null = null;
function db(): UseStore {
  if (typeof indexedDB === 'undefined') throw new StorageError('unavailable', 'This browser offers no IndexedDB storage.');
  store ??= createStore('sgd-noise-lab', 'experiments');
  return store;
}

/** For tests: forget the open database handle (e.g. after replacing the IndexedDB implementation). */
export function resetStorageHandle(): void {
  store = null;
}

function isQuotaError(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED' || (err as { code?: number } | null)?.code === 22;
}

function wrap(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  if (isQuotaError(err)) return new StorageError('full', 'Local storage is full: this experiment is no longer being saved.');
  return new StorageError('other', `Saving failed: ${err instanceof Error ? err.message : String(err)}`);
}

export function newSaveId(): string {
  return `x${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0')}`;
}

/** A rough size: 8 bytes per number of every metric row, plus the checkpoint's tensors. */
export function approximateBytes(record: SavedExperiment): number {
  let bytes = 2000;
  for (const rows of Object.values(record.data.metrics)) if (rows.length) bytes += rows.length * 8 * Object.keys(rows[0]).length;
  for (const run of record.checkpoint?.runs ?? []) for (const t of run.tensors ?? []) bytes += t.values.byteLength;
  return bytes;
}

/** Entries per chunk of a per-run list. */
export const CHUNK = 1000;

type PerRunLists = Record<string, Array<{ step: number }>>;

/** A plain object of per-run lists whose entries have a numeric step (checks the ends of each list only). */
function isPerRunStepped(value: unknown): value is PerRunLists {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const lists = Object.values(value);
  return lists.length > 0 && lists.every((l) => Array.isArray(l) && (l.length === 0 || (typeof l[0]?.step === 'number' && typeof l[l.length - 1]?.step === 'number')));
}

/** Per saved list (experiment|field|run): the list saved last, and how many of its full chunks are stored. */
const savedChunks = new Map<string, { ref: unknown[]; full: number }>();

const chunkKey = (id: string, field: string, run: string, c: number) => `chunk:${id}:${field}:${run}:${c}`;

/** Saves (or overwrites) an experiment; keeps its name and creation time if it exists. */
export async function saveExperiment(record: SavedExperiment, name?: string): Promise<SavedMeta> {
  try {
    const old = await get<SavedMeta>(`meta:${record.id}`, db());
    const steps = Math.max(0, ...record.data.runs.map((r) => r.step));
    const meta: SavedMeta = {
      id: record.id,
      name: name ?? old?.name ?? defaultName(record.spec),
      createdAt: old?.createdAt ?? Date.now(),
      savedAt: Date.now(),
      runs: record.data.runs.length,
      steps,
      bytes: approximateBytes(record),
    };
    // Per-run stepped lists go to chunks; a list that only grew (in place, or as a copy with the same first
    // entry) writes its last stored chunk again and the new ones; anything else is written whole.
    const { data, ...rest } = record;
    const plain: Record<string, unknown> = {};
    const chunked: Record<string, Record<string, number>> = {};
    const writes: [IDBValidKey, unknown][] = [];
    const stored: Array<[string, { ref: unknown[]; full: number }]> = [];
    for (const [field, value] of Object.entries(data)) {
      if (!isPerRunStepped(value)) {
        plain[field] = value;
        continue;
      }
      chunked[field] = {};
      for (const [run, list] of Object.entries(value)) {
        chunked[field][run] = list.length;
        const key = `${record.id}|${field}|${run}`;
        const last = savedChunks.get(key);
        const grew = last && list.length >= last.ref.length && (last.ref === list || last.ref.length === 0 || list[0] === last.ref[0]);
        for (let c = grew ? last.full : 0; c * CHUNK < list.length; c++) writes.push([chunkKey(record.id, field, run, c), list.slice(c * CHUNK, (c + 1) * CHUNK)]);
        stored.push([key, { ref: list, full: Math.floor(list.length / CHUNK) }]);
      }
    }
    writes.push([`data:${record.id}`, { ...rest, data: plain, chunked }], [`meta:${record.id}`, meta]);
    await setMany(writes, db());
    for (const [key, state] of stored) savedChunks.set(key, state);
    return meta;
  } catch (err) {
    throw wrap(err);
  }
}

export function defaultName(spec: ExperimentSpec): string {
  const runs = spec.runs.map((r) => r.id);
  const list = runs.length > 4 ? `${runs.slice(0, 4).join(', ')}, …` : runs.join(', ');
  return `${spec.task.kind}, ${spec.regime.kind}: ${list}`;
}

/** A saved experiment as listed: its meta, and why it cannot be reopened when it is damaged (else null). */
export interface SavedEntry extends SavedMeta {
  damaged: string | null;
}

function isMeta(value: unknown, id: string): value is SavedMeta {
  const m = value as SavedMeta | null;
  return typeof m === 'object' && m !== null && m.id === id && typeof m.name === 'string' && [m.createdAt, m.savedAt, m.runs, m.steps, m.bytes].every(Number.isFinite);
}

/**
 * Why a stored data record cannot be reopened, or null. Checks its structure and that every chunk it names
 * exists (`present`: the keys in the database), not the chunks' contents, which loadSaved checks on opening.
 */
function damageOf(stored: unknown, id: string, present: Set<string>): string | null {
  if (stored === undefined) return 'its data record is missing';
  if (typeof stored !== 'object' || stored === null) return 'its data record is not an object';
  const r = stored as Partial<StoredRecord>;
  const spec = validateSpec(r.spec);
  if (!spec.ok) return `its experiment is invalid (${spec.issues[0].path ? `${spec.issues[0].path}: ` : ''}${spec.issues[0].message})`;
  // A record is saved when a checkpoint arrives, so a whole one always holds one.
  if (!isCheckpoint(r.checkpoint)) return 'its checkpoint is missing, damaged or from another version of the lab';
  if (!validateSpec(r.checkpoint.spec).ok) return "its checkpoint's experiment is invalid";
  if (typeof r.data !== 'object' || r.data === null || !Array.isArray(r.data.runs)) return 'its list of runs is missing';
  const chunked = r.chunked ?? {};
  if (typeof chunked !== 'object' || chunked === null) return 'its index of metric rows is damaged';
  if (!('metrics' in chunked) && (typeof r.data.metrics !== 'object' || r.data.metrics === null)) return 'its metric rows are missing';
  let missing = 0;
  for (const [field, runs] of Object.entries(chunked)) {
    if (typeof runs !== 'object' || runs === null) return 'its index of metric rows is damaged';
    for (const [run, length] of Object.entries(runs)) {
      if (!Number.isInteger(length) || length < 0) return 'its index of metric rows is damaged';
      for (let c = 0; c * CHUNK < length; c++) if (!present.has(chunkKey(id, field, run, c))) missing++;
    }
  }
  return missing ? `${missing} chunk${missing > 1 ? 's' : ''} of its rows ${missing > 1 ? 'are' : 'is'} missing` : null;
}

/** Damage found per id, with the savedAt it was found at: a record is checked again only once it was saved again. */
const damageFound = new Map<string, { savedAt: number; damaged: string | null }>();

/**
 * Every saved experiment, newest first, each whole or damaged with the reason. A record whose list entry is
 * unreadable or lost is listed too (by its id), so it can still be deleted.
 */
export async function listSaved(): Promise<SavedEntry[]> {
  try {
    const all = (await keys(db())).filter((k): k is string => typeof k === 'string');
    const present = new Set(all);
    const ids = [...new Set(all.filter((k) => k.startsWith('meta:') || k.startsWith('data:')).map((k) => k.slice(5)))];
    const metas = await getMany<unknown>(ids.map((id) => `meta:${id}`), db());
    const entries: SavedEntry[] = ids.map((id, i) => {
      const meta = metas[i];
      // Only the list entry lost or damaged: the experiment itself may be whole, and opens under a plain name.
      return isMeta(meta, id) ? { ...meta, damaged: null } : { id, name: `untitled (${id}, its list entry was damaged)`, createdAt: 0, savedAt: 0, runs: 0, steps: 0, bytes: 0, damaged: null };
    });
    const unchecked = entries.filter((e) => damageFound.get(e.id)?.savedAt !== e.savedAt || e.savedAt === 0);
    const records = await getMany<unknown>(unchecked.map((e) => `data:${e.id}`), db());
    unchecked.forEach((e, i) => damageFound.set(e.id, { savedAt: e.savedAt, damaged: damageOf(records[i], e.id, present) }));
    for (const e of entries) e.damaged = damageFound.get(e.id)?.damaged ?? null;
    return entries.sort((a, b) => b.savedAt - a.savedAt);
  } catch (err) {
    throw wrap(err);
  }
}

/** The stored form of the data record: the runs data without its chunked lists, and their lengths. */
interface StoredRecord extends Omit<SavedExperiment, 'data'> {
  data: Record<string, unknown>;
  chunked?: Record<string, Record<string, number>>;
}

const isSteppedEntry = (e: unknown) => typeof (e as { step?: unknown } | null)?.step === 'number';

/**
 * A saved experiment with its chunked lists put back together; undefined if absent. A damaged one (see
 * listSaved) is a StorageError of kind 'damaged' that says why, and is listed as damaged from then on.
 */
export async function loadSaved(id: string): Promise<SavedExperiment | undefined> {
  try {
    const stored = await get<StoredRecord>(`data:${id}`, db());
    if (stored === undefined) {
      if ((await get(`meta:${id}`, db())) === undefined) return undefined;
      throw new StorageError('damaged', damageOf(stored, id, new Set())!);
    }
    const present = new Set((await keys(db())).filter((k): k is string => typeof k === 'string'));
    const damaged = damageOf(stored, id, present);
    if (damaged) throw new StorageError('damaged', damaged);
    const { chunked = {}, data, ...rest } = stored;
    const wanted: Array<[string, string, number]> = [];
    for (const [field, runs] of Object.entries(chunked)) for (const [run, length] of Object.entries(runs)) for (let c = 0; c * CHUNK < length; c++) wanted.push([field, run, c]);
    const chunks = await getMany<unknown>(wanted.map(([field, run, c]) => chunkKey(id, field, run, c)), db());
    const bad = chunks.filter((c) => !Array.isArray(c) || !c.every(isSteppedEntry)).length;
    if (bad) throw new StorageError('damaged', `${bad} chunk${bad > 1 ? 's' : ''} of its rows ${bad > 1 ? 'are' : 'is'} unreadable`);
    const out: Record<string, unknown> = { ...data };
    for (const [field, runs] of Object.entries(chunked)) out[field] = Object.fromEntries(Object.keys(runs).map((run) => [run, [] as unknown[]]));
    wanted.forEach(([field, run], i) => ((out[field] as Record<string, unknown[]>)[run] as unknown[]).push(...(chunks[i] as unknown[])));
    for (const [field, runs] of Object.entries(chunked)) {
      for (const [run, length] of Object.entries(runs)) {
        const list = (out[field] as Record<string, unknown[]>)[run];
        if (list.length > length) list.length = length; // a stale longer chunk from before a restart
      }
    }
    return { ...rest, data: out as SavedExperiment['data'] };
  } catch (err) {
    if (err instanceof StorageError && err.kind === 'damaged') {
      const meta = await get<SavedMeta>(`meta:${id}`, db()).catch(() => undefined);
      damageFound.set(id, { savedAt: meta?.savedAt ?? 0, damaged: err.message });
    }
    throw wrap(err);
  }
}

export async function renameSaved(id: string, name: string): Promise<void> {
  try {
    const meta = await get<SavedMeta>(`meta:${id}`, db());
    if (!isMeta(meta, id)) return;
    await setMany([[`meta:${id}`, { ...meta, name: name.trim() || meta.name }]], db());
  } catch (err) {
    throw wrap(err);
  }
}

export async function deleteSaved(id: string): Promise<void> {
  try {
    const chunks = (await keys<string>(db())).filter((k) => typeof k === 'string' && k.startsWith(`chunk:${id}:`));
    await delMany([`data:${id}`, `meta:${id}`, ...chunks], db());
    for (const key of savedChunks.keys()) if (key.startsWith(`${id}|`)) savedChunks.delete(key);
    damageFound.delete(id);
  } catch (err) {
    throw wrap(err);
  }
}

/** Bytes used and available to this origin, where the browser says. */
export async function storageEstimate(): Promise<{ usage: number; quota: number } | null> {
  try {
    const e = await navigator.storage?.estimate?.();
    return e && typeof e.usage === 'number' && typeof e.quota === 'number' ? { usage: e.usage, quota: e.quota } : null;
  } catch {
    return null;
  }
}

const isStepped = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof (x as { step?: unknown } | null)?.step === 'number');

/**
 * The runs data cut back to the checkpoint: in every per-run list of stepped entries (metric rows, ladder
 * points, …) the entries after the run's checkpointed step are dropped — they arrived after the checkpoint
 * was taken and will come again on resume.
 */
export function cutToCheckpoint<T extends Record<string, unknown>>(data: T, checkpoint: TrainerCheckpoint | null): T {
  if (!checkpoint) return data;
  const stepOf = new Map(checkpoint.runs.map((r) => [r.id, Number(r.state.step)]));
  const out: Record<string, unknown> = { ...data };
  for (const [key, value] of Object.entries(data)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const perRun = Object.entries(value as Record<string, unknown>);
    if (!perRun.length || !perRun.every(([, list]) => isStepped(list))) continue;
    out[key] = Object.fromEntries(
      perRun.map(([id, list]) => {
        const last = stepOf.get(id);
        return [id, last === undefined ? list : (list as Array<{ step: number }>).filter((e) => e.step <= last)];
      }),
    );
  }
  return out as T;
}
