/**
 * Presets: each is a valid experiment with a unique, URL-safe name and a sentence on what to look for; each
 * survives a link; and each trains (shrunk to a short budget, its noise cuts and forks moved along with it)
 * without NaN, with every scheduled change taking effect and every fork starting at its fork step from its
 * parent's stream position.
 */
import { describe, expect, it } from 'vitest';
import { loadShippedAssets } from '../src/cli/run';
import { Trainer, type MetricRow } from '../src/engine/trainer';
import { decodeLink, linkUrl } from '../src/spec/link';
import { PRESETS, findPreset } from '../src/spec/presets';
import { ExperimentSpec, validateSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';
import { onCpuBackendWithoutLeaks } from './helpers/cpuBackend';

onCpuBackendWithoutLeaks();

const BUDGET = 40;

/**
 * The preset with a budget of BUDGET steps (4 for a CNN) and a small probe set; change and fork steps scale with the budget
 * (equal steps stay equal, and a fork's own change stays after its fork).
 */
function shrink(spec: ExperimentSpec): ExperimentSpec {
  // The cpu backend is slow at a CNN (image presets train a few steps) and at the transformer (language presets
  // train a smaller one on shorter windows here).
  const budget = spec.model.kind === 'cnn' ? 4 : BUDGET;
  const scale = (step: number) => Math.min(budget - 1, Math.round((step * budget) / spec.budgetSteps));
  const small = spec.model.kind === 'transformer' && 'context' in spec.task ? { model: { ...spec.model, layers: 1, width: 8, heads: 2 }, task: { ...spec.task, context: 4 } } : {};
  return ExperimentSpec.parse({
    ...spec,
    ...small,
    budgetSteps: budget,
    evalEvery: 10,
    probeSize: 64,
    runs: spec.runs.map((run) => {
      const fork = run.fork && { ...run.fork, atStep: scale(run.fork.atStep) };
      const change = run.change && { ...run.change, atStep: Math.max(1, scale(run.change.atStep), fork ? fork.atStep + 1 : 0) };
      return { ...run, ...(fork && { fork }), ...(change && { change }) };
    }),
  });
}

describe('presets', () => {
  it('have unique, URL-safe names, a title and one sentence on what to look for', () => {
    const names = PRESETS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const preset of PRESETS) {
      expect(preset.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(encodeURIComponent(preset.name)).toBe(preset.name);
      expect(findPreset(preset.name)).toBe(preset);
      expect(preset.title.length).toBeGreaterThan(0);
      expect(preset.lookFor, preset.name).toMatch(/\.$/);
    }
  });

  it('include every protocol the lab must show, online and offline', () => {
    const specs = new Map(PRESETS.map((p) => [p.name, ExperimentSpec.parse(p.spec)]));
    for (const name of ['online-batch-sweep', 'offline-batch-sweep', 'online-noise-cut', 'offline-noise-cut']) expect(specs.has(name), name).toBe(true);
    expect(specs.get('offline-batch-sweep')!.regime).toEqual({ kind: 'offline', trainSize: 1024 });
    // The offline sweep runs several epochs even for the smallest batch.
    const offline = specs.get('offline-batch-sweep')!;
    const minBatch = Math.min(...offline.runs.map((r) => r.batchSize));
    expect((offline.budgetSteps * minBatch) / 1024).toBeGreaterThanOrEqual(5);
    for (const name of ['online-noise-cut', 'offline-noise-cut']) {
      const runs = specs.get(name)!.runs;
      const cut = runs.find((r) => r.change)!;
      const fork = runs.find((r) => r.fork)!;
      const parent = runs.find((r) => r.id === fork.fork!.parent)!;
      // The cut run, the same run uncut, a low-noise run from the start, and a fork of the noisy run at t₀.
      expect(runs.some((r) => !r.change && !r.fork && r.batchSize === cut.batchSize && r.learningRate === cut.learningRate)).toBe(true);
      expect(runs.some((r) => !r.change && !r.fork && r.batchSize === cut.batchSize * cut.change!.batchFactor)).toBe(true);
      expect(fork.fork!.atStep).toBe(cut.change!.atStep);
      expect(fork.batchSize).toBe(parent.batchSize * cut.change!.batchFactor);
    }
    expect(specs.get('offline-noise-cut')!.regime.kind).toBe('offline');
  });

  it.each(PRESETS.map((p) => [p.name, p] as const))('%s is a valid experiment that survives a link', (_name, preset) => {
    const parsed = ExperimentSpec.safeParse(preset.spec);
    expect(parsed.error?.issues ?? []).toEqual([]);
    const validated = validateSpec(preset.spec);
    expect(validated.ok ? [] : validated.issues).toEqual([]);
    const decoded = decodeLink(linkUrl('http://lab.test/', { spec: parsed.data!, view: defaultView(), autorun: false }));
    expect(decoded.ok && decoded.state.spec).toEqual(parsed.data);
  });

  it.each(PRESETS.map((p) => [p.name, p] as const))(
    '%s trains without NaN; its changes take effect and its forks start at their fork step',
    async (_name, preset) => {
      const spec = shrink(ExperimentSpec.parse(preset.spec));
      expect(validateSpec(spec).ok).toBe(true);
      const trainer = new Trainer(spec, { groupRuns: true, assets: loadShippedAssets(spec, new Map()) });
      const rows = new Map<string, MetricRow[]>();
      try {
        const forks = spec.runs.filter((r) => r.fork);
        expect(trainer.progress().filter((p) => p.status === 'waiting').map((p) => p.id)).toEqual(forks.map((r) => r.id));
        while (trainer.active) {
          for (const [id, runRows] of await trainer.advance(7)) rows.set(id, [...(rows.get(id) ?? []), ...runRows]);
        }
        const progress = new Map(trainer.progress().map((p) => [p.id, p]));
        for (const run of spec.runs) {
          const p = progress.get(run.id)!;
          expect(p.status, `${run.id}: ${p.reason ?? ''}`).toBe('done');
          expect(p.step).toBe(spec.budgetSteps);
          const runRows = rows.get(run.id)!;
          for (const row of runRows) {
            expect(Number.isFinite(row.trainLoss), `${run.id} step ${row.step}`).toBe(true);
            if (row.evalLoss !== undefined) expect(Number.isFinite(row.evalLoss)).toBe(true);
          }
          const start = run.fork ? run.fork.atStep : 0;
          expect(runRows[0].step).toBe(start + 1);
          expect(runRows.map((r) => r.step)).toEqual(Array.from({ length: spec.budgetSteps - start }, (_, i) => start + i + 1));
          if (run.fork) {
            // The fork continues from its parent's sample count at the fork step, with its own batch size.
            const parentRows = rows.get(run.fork.parent)!;
            const parentSamples = parentRows.find((r) => r.step === run.fork!.atStep)?.samples ?? 0;
            expect(runRows[0].samples).toBe(parentSamples + run.batchSize);
          }
          if (run.change) {
            const newBatch = run.batchSize * run.change.batchFactor;
            for (const row of runRows) expect(row.batchSize, `${run.id} step ${row.step}`).toBe(row.step <= run.change.atStep ? run.batchSize : newBatch);
            expect(p.batchSize).toBe(newBatch);
          }
        }
        // A fork at the same step and batch as a scheduled cut of the same run is that cut, number for number.
        const fork = spec.runs.find((r) => r.fork);
        const cut = spec.runs.find((r) => r.change && fork && r.batchSize === spec.runs.find((p) => p.id === fork.fork!.parent)!.batchSize);
        if (fork) {
          // Every preset fork is the twin of a scheduled cut of its parent (protocol 2).
          expect(cut && [cut.change!.atStep, cut.batchSize * cut.change!.batchFactor]).toEqual([fork.fork!.atStep, fork.batchSize]);
          const after = rows.get(cut!.id)!.filter((r) => r.step > cut!.change!.atStep);
          const forkRows = rows.get(fork.id)!;
          expect(forkRows.map((r) => [r.step, r.samples, r.batchSize])).toEqual(after.map((r) => [r.step, r.samples, r.batchSize]));
          forkRows.forEach((r, i) => expect(Math.abs(r.trainLoss - after[i].trainLoss), `step ${r.step}`).toBeLessThanOrEqual(1e-5 * Math.abs(after[i].trainLoss)));
        }
      } finally {
        trainer.dispose();
      }
    },
    60_000,
  );
});
