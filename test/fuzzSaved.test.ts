/**
 * A corrupted saved experiment (fake-indexeddb): any of its records deleted or overwritten with random data
 * — the list entry, the data record or one of its fields, a chunk of rows — is listed as damaged with its
 * reason, at once or after an attempt to open it, and never opens as garbage. Nothing else breaks: listing
 * does not throw, the other experiment lists whole and loads exactly as saved, the damaged one can be
 * deleted, and saving goes on. FUZZ_RUNS sets the number of corruptions.
 */
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { createStore, del, get, keys, set } from 'idb-keyval';
import { describe, expect, it } from 'vitest';
import { isCheckpoint } from '../src/engine/checkpoint';
import type { MetricRow, RunProgress } from '../src/engine/trainer';
import { ExperimentSpec, validateSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import { deleteSaved, listSaved, loadSaved, saveExperiment, StorageError, type SavedExperiment } from '../src/storage/saved';

const CASES = Number(process.env.FUZZ_RUNS ?? 40);
const store = createStore('sgd-noise-lab', 'experiments');

const spec = ExperimentSpec.parse({ runs: [{ id: 'a', batchSize: 8, learningRate: 0.1 }] });
const row = (step: number): MetricRow => ({ step, samples: step * 8, trainLoss: 1 / step, batchSize: 8, lr: 0.1, temperature: 0.0125, wallMs: step });
const progress = (step: number): RunProgress => ({ id: 'a', status: 'running', step, samples: step * 8, wallMs: step, batchSize: 8, lr: 0.1, temperature: 0.0125, noiseScale: null, trainLoss: 1, evalLoss: null, trainSetLoss: null });

/** A record with two chunks of rows (1,500 steps). */
function record(id: string): SavedExperiment {
  const steps = 1500;
  return {
    id,
    spec,
    view: defaultView(),
    classroom: null,
    data: { runs: [progress(steps)], metrics: { a: Array.from({ length: steps }, (_, i) => row(i + 1)) }, lossFloor: 0.3 },
    checkpoint: { format: 1, spec, runs: [{ id: 'a', state: { step: steps }, noise: {}, tensors: [{ shape: [1, 2], values: new Float32Array([1, 2]) }] }] },
  };
}

const KEYS = ['meta:bad', 'data:bad', 'chunk:bad:metrics:a:0', 'chunk:bad:metrics:a:1'];
const FIELDS = ['spec', 'checkpoint', 'data', 'chunked', 'view'];

type Corruption = { kind: 'delete'; key: string } | { kind: 'overwrite'; key: string; value: unknown } | { kind: 'field'; field: string; value: unknown };

const junk = fc.oneof(fc.anything(), fc.constant(null), fc.constant({}), fc.array(fc.anything(), { maxLength: 3 }));
const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ kind: fc.constant('overwrite' as const), key: fc.constantFrom(...KEYS), value: junk }),
  fc.record({ kind: fc.constant('field' as const), field: fc.constantFrom(...FIELDS), value: junk }),
);

async function corrupt(c: Corruption): Promise<void> {
  if (c.kind === 'delete') return del(c.key, store);
  if (c.kind === 'overwrite') return set(c.key, c.value, store);
  const data = await get<Record<string, unknown>>('data:bad', store);
  return set('data:bad', { ...data, [c.field]: c.value }, store);
}

/** What reopening needs of a loaded record (ui/persistence.ts reopenSaved). */
function opens(r: SavedExperiment): boolean {
  return isCheckpoint(r.checkpoint) && validateSpec(r.checkpoint.spec).ok && Array.isArray(r.data.runs) && typeof r.data.metrics === 'object' && r.data.metrics !== null;
}

describe('a corrupted saved experiment', () => {
  it(`${CASES} corruptions: listed as damaged with the reason; nothing else breaks`, async () => {
    await fc.assert(
      fc.asyncProperty(corruption, async (c) => {
        await saveExperiment(record('good'));
        await saveExperiment(record('bad'));
        await corrupt(c);

        let bad = (await listSaved()).find((e) => e.id === 'bad');
        expect(bad, 'still listed (by its id when its list entry is lost)').toBeDefined();
        if (bad && !bad.damaged) {
          // Not visible in the list (a chunk's contents, a field the list does not check): opening tells.
          const loaded = await loadSaved('bad').catch((e: unknown) => e);
          if (loaded instanceof StorageError) {
            expect(loaded.kind).toBe('damaged');
            bad = (await listSaved()).find((e) => e.id === 'bad');
            expect(bad?.damaged).toBe(loaded.message);
          } else {
            expect(loaded, `opens whole despite ${JSON.stringify(c)}`).toBeDefined();
            expect(opens(loaded as SavedExperiment)).toBe(true);
          }
        }
        if (bad?.damaged) {
          expect(bad.damaged).toMatch(/^its |chunk/);
          await expect(loadSaved('bad')).rejects.toThrow(bad.damaged);
        }

        const good = (await listSaved()).find((e) => e.id === 'good');
        expect(good?.damaged).toBeNull();
        expect(await loadSaved('good')).toEqual(record('good'));
        await deleteSaved('bad');
        expect((await keys(store)).filter((k) => String(k).includes('bad'))).toEqual([]);
        expect((await listSaved()).map((e) => e.id)).toEqual(['good']);
        await saveExperiment(record('good'));
        await deleteSaved('good');
      }),
      { numRuns: CASES, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined },
    );
  }, 600_000);
});
