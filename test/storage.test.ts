/**
 * Saved experiments (storage/saved.ts) on fake-indexeddb: save, list (newest first), load the whole record
 * back, rename, delete; a full disk surfaces as a StorageError of kind 'full'; metric rows past the
 * checkpoint are cut on restore.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as idb from 'idb-keyval';
import { deleteSaved, listSaved, loadSaved, renameSaved, cutToCheckpoint, saveExperiment, StorageError, type SavedExperiment } from '../src/storage/saved';
import { ExperimentSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import type { MetricRow, RunProgress } from '../src/engine/trainer';

vi.mock('idb-keyval', { spy: true });

const spec = ExperimentSpec.parse({ runs: [{ id: 'a', batchSize: 8, learningRate: 0.1 }] });
const row = (step: number): MetricRow => ({ step, samples: step * 8, trainLoss: 1, batchSize: 8, lr: 0.1, temperature: 0.0125, wallMs: step });
const progress = (step: number): RunProgress => ({ id: 'a', status: 'running', step, samples: step * 8, wallMs: step, batchSize: 8, lr: 0.1, temperature: 0.0125, noiseScale: null, trainLoss: 1, evalLoss: null, trainSetLoss: null });

function record(id: string, step: number): SavedExperiment {
  return {
    id,
    spec,
    view: defaultView(),
    classroom: null,
    data: {
      runs: [progress(step)],
      metrics: { a: Array.from({ length: step }, (_, i) => row(i + 1)) },
      lossFloor: 0.3,
      // What another part of the lab keeps per run (e.g. loss-ladder points) is stored and cut alike.
      ladders: { a: [{ level: 1, step: 2, outputs: new Float32Array([0.5]) }] },
    },
    checkpoint: { format: 1, spec, runs: [{ id: 'a', state: { step, samples: step * 8, extraFieldAddedLater: [1, 2] }, noise: {}, tensors: [{ shape: [1, 2], values: new Float32Array([1, 2]) }] }] },
  };
}

afterEach(() => vi.restoreAllMocks());

describe('saved experiments', () => {
  it('save, list, load, rename, delete', async () => {
    const first = await saveExperiment(record('one', 10));
    expect(first).toMatchObject({ id: 'one', runs: 1, steps: 10 });
    expect(first.name).toContain('teacher-student');
    await new Promise((r) => setTimeout(r, 5));
    await saveExperiment(record('two', 20), 'second');
    expect((await listSaved()).map((m) => [m.id, m.name])).toEqual([
      ['two', 'second'],
      ['one', first.name],
    ]);
    const loaded = await loadSaved('two');
    expect(loaded).toEqual(record('two', 20)); // whole objects, fields added later included
    await renameSaved('one', 'renamed');
    // A later save keeps the name and the creation time.
    const again = await saveExperiment(record('one', 30));
    expect(again).toMatchObject({ name: 'renamed', createdAt: first.createdAt, steps: 30 });
    await deleteSaved('two');
    expect((await listSaved()).map((m) => m.id)).toEqual(['one']);
    expect(await loadSaved('two')).toBeUndefined();
    await deleteSaved('one');
  });

  it('long lists are stored in chunks and a save writes only what is new', async () => {
    const r = record('long', 2500);
    await saveExperiment(r);
    expect(await loadSaved('long')).toEqual(r);
    const chunkWrites = () => vi.mocked(idb.setMany).mock.calls.at(-1)![0].filter(([k]) => String(k).startsWith('chunk:')).map(([k]) => String(k));
    expect(chunkWrites()).toEqual(['chunk:long:metrics:a:0', 'chunk:long:metrics:a:1', 'chunk:long:metrics:a:2', 'chunk:long:ladders:a:0']);
    // Grown in place by 600 rows: the last partial chunk again, and one new chunk.
    r.data.metrics.a.push(...Array.from({ length: 600 }, (_, i) => row(2501 + i)));
    r.data.runs = [progress(3100)];
    await saveExperiment(r);
    expect(chunkWrites()).toEqual(['chunk:long:metrics:a:2', 'chunk:long:metrics:a:3', 'chunk:long:ladders:a:0']);
    expect(await loadSaved('long')).toEqual(r);
    // Restarted (a new, shorter list): written whole; the stale longer chunks are not read back.
    r.data.metrics = { a: [row(1), row(2)] };
    await saveExperiment(r);
    expect(chunkWrites()).toEqual(['chunk:long:metrics:a:0', 'chunk:long:ladders:a:0']);
    expect((await loadSaved('long'))!.data.metrics.a).toEqual([row(1), row(2)]);
    const ours = async () => (await idb.keys(idb.createStore('sgd-noise-lab', 'experiments'))).filter((k) => String(k).includes(':long'));
    expect((await ours()).length).toBeGreaterThan(4);
    await deleteSaved('long');
    expect(await ours()).toEqual([]);
  });

  it('a full disk is a StorageError of kind full', async () => {
    vi.mocked(idb.setMany).mockRejectedValueOnce(Object.assign(new Error('quota'), { name: 'QuotaExceededError' }));
    const err = await saveExperiment(record('three', 5)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).kind).toBe('full');
    expect((err as StorageError).message).toMatch(/full/);
    expect(await loadSaved('three')).toBeUndefined();
  });

  it('per-run entries after the checkpoint are cut, in every stepped list; other fields are kept', () => {
    const r = record('x', 10);
    const data = {
      ...r.data,
      metrics: { a: [...r.data.metrics.a, row(11), row(12)], other: [row(1)] },
      ladders: { a: [{ level: 1, step: 4 }, { level: 0.5, step: 11 }] },
    };
    const cut = cutToCheckpoint(data, r.checkpoint);
    expect(cut.metrics.a.map((x) => x.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(cut.metrics.other).toHaveLength(1);
    expect(cut.ladders).toEqual({ a: [{ level: 1, step: 4 }] });
    expect(cut.runs).toBe(r.data.runs);
    expect(cut.lossFloor).toBe(0.3);
    expect(cutToCheckpoint(data, null)).toBe(data);
  });
});
