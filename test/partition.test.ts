import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { familyRoots, partitionRuns } from '../src/engine/partition';
import type { RunSpec } from '../src/spec/schema';

const run = (id: string, batchSize: number, fork?: { parent: string; atStep: number }): RunSpec => ({ id, batchSize, learningRate: 0.1, seed: 1, ...(fork ? { fork } : {}) });

describe('partitionRuns', () => {
  it('keeps a fork, and a fork of a fork, with its root', () => {
    const runs = [run('a', 8), run('b', 512), run('a1', 64, { parent: 'a', atStep: 10 }), run('a2', 64, { parent: 'a1', atStep: 20 })];
    expect(familyRoots(runs).get('a2')).toBe('a');
    const shares = partitionRuns({ runs, budgetSteps: 100 }, 2);
    expect(shares).toHaveLength(2);
    const withA = shares.find((s) => s.includes('a'))!;
    expect(withA).toEqual(['a', 'a1', 'a2']);
    expect(shares.find((s) => s.includes('b'))).toEqual(['b']);
  });

  it('balances work: one heavy run alone, the light ones together', () => {
    const runs = [run('b8', 8), run('b16', 16), run('b32', 32), run('b512', 512)];
    const shares = partitionRuns({ runs, budgetSteps: 1000 }, 2);
    expect(shares).toContainEqual(['b512']);
    expect(shares).toContainEqual(['b8', 'b16', 'b32']);
  });

  it('more shares than families leaves some empty; one share holds everything', () => {
    const runs = [run('a', 8), run('b', 8)];
    expect(partitionRuns({ runs, budgetSteps: 10 }, 3).filter((s) => s.length === 0)).toHaveLength(1);
    expect(partitionRuns({ runs, budgetSteps: 10 }, 1)).toEqual([['a', 'b']]);
  });

  it('refuses a share count that is not a whole number of at least 1', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) expect(() => partitionRuns({ runs: [run('a', 8)], budgetSteps: 10 }, n)).toThrow(/shares/);
  });

  it('every run lands in exactly one share, families intact, and the split is deterministic', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1024 }), { minLength: 1, maxLength: 24 }), fc.array(fc.nat(), { maxLength: 24 }), fc.integer({ min: 1, max: 8 }), (batches, parents, n) => {
        const runs: RunSpec[] = batches.map((b, i) => (i > 0 && parents[i] !== undefined && parents[i] % 3 === 0 ? run(`r${i}`, b, { parent: `r${parents[i] % i}`, atStep: 5 }) : run(`r${i}`, b)));
        const shares = partitionRuns({ runs, budgetSteps: 50 }, n);
        expect(shares.flat().sort()).toEqual(runs.map((r) => r.id).sort());
        const roots = familyRoots(runs);
        const shareOf = new Map(shares.flatMap((s, i) => s.map((id) => [id, i] as const)));
        for (const r of runs) expect(shareOf.get(r.id)).toBe(shareOf.get(roots.get(r.id)!));
        expect(partitionRuns({ runs, budgetSteps: 50 }, n)).toEqual(shares);
      }),
    );
  });
});
