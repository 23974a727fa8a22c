/** Function-space distances against direct computation on small hand-made cases, and their properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { functionDistance, probabilities, type OutputShape } from '../src/engine/distance';

const cls = (classes: number, positions = 1): OutputShape => ({ loss: 'xent', classes, positions });
const logitsOf = (probs: number[][]) => Float32Array.from(probs.flatMap((row) => row.map(Math.log)));

describe('classification distances', () => {
  it('match TV, disagreement and symmetric KL computed by hand', () => {
    const p = [
      [0.7, 0.2, 0.1],
      [0.2, 0.5, 0.3],
    ];
    const q = [
      [0.6, 0.3, 0.1],
      [0.5, 0.25, 0.25],
    ];
    const d = functionDistance(logitsOf(p), logitsOf(q), cls(3));
    if (d.kind !== 'classification') throw new Error('expected classification');
    const tvRows = p.map((row, i) => row.reduce((acc, v, j) => acc + Math.abs(v - q[i][j]), 0) / 2); // 0.1, 0.3
    const klRows = p.map((row, i) => row.reduce((acc, v, j) => acc + 0.5 * (v * Math.log(v / q[i][j]) + q[i][j] * Math.log(q[i][j] / v)), 0));
    expect(tvRows[0]).toBeCloseTo(0.1, 12);
    expect(tvRows[1]).toBeCloseTo(0.3, 12);
    expect(d.tv).toBeCloseTo((tvRows[0] + tvRows[1]) / 2, 6);
    expect(d.kl).toBeCloseTo((klRows[0] + klRows[1]) / 2, 6);
    expect(d.disagreement).toBe(0.5); // row 0 both say class 0; row 1: class 1 vs class 0
    expect(Array.from(d.perExample)).toEqual([expect.closeTo(0.1, 6), expect.closeTo(0.3, 6)]);
  });

  it('are invariant to a constant shift of the logits (softmax)', () => {
    const a = Float32Array.from([1, 2, 3, 0, 0, 1]);
    const shifted = a.map((v, i) => v + (i < 3 ? 5 : -2));
    const d = functionDistance(a, Float32Array.from(shifted), cls(3));
    expect(d.kind === 'classification' && [d.tv, d.kl, d.disagreement]).toEqual([expect.closeTo(0, 6), expect.closeTo(0, 6), 0]);
  });

  it('average over positions for sequence outputs', () => {
    // One example, two positions: TV 0.4 at the first, 0 at the second.
    const a = logitsOf([
      [0.5, 0.5],
      [0.9, 0.1],
    ]);
    const b = logitsOf([
      [0.9, 0.1],
      [0.9, 0.1],
    ]);
    const d = functionDistance(a, b, cls(2, 2));
    expect(d.kind === 'classification' && d.tv).toBeCloseTo(0.2, 6);
    expect(d.perExample.length).toBe(1);
    expect(d.perExample[0]).toBeCloseTo(0.2, 6);
  });

  const logits = (rows: number, k: number) => fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: rows * k, maxLength: rows * k }).map((v) => Float32Array.from(v));
  it('TV(f, f) = 0, TV and KL are symmetric, 0 ≤ TV ≤ 1 and disagreement ≤ 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 5 }), fc.nat(), (rows, k, seed) => {
        const [a, b] = fc.sample(logits(rows, k), { numRuns: 2, seed });
        const self = functionDistance(a, a, cls(k));
        const ab = functionDistance(a, b, cls(k));
        const ba = functionDistance(b, a, cls(k));
        if (self.kind !== 'classification' || ab.kind !== 'classification' || ba.kind !== 'classification') return false;
        expect(self.tv).toBe(0);
        expect(self.kl).toBe(0);
        expect(ab.tv).toBeCloseTo(ba.tv, 12);
        expect(ab.kl).toBeCloseTo(ba.kl, 10);
        expect(ab.tv).toBeGreaterThanOrEqual(0);
        expect(ab.tv).toBeLessThanOrEqual(1);
        expect(ab.kl).toBeGreaterThanOrEqual(-1e-12);
        expect(ab.disagreement).toBeLessThanOrEqual(1);
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('TV approaches 1 for confident opposite predictions', () => {
    const d = functionDistance(Float32Array.from([30, -30]), Float32Array.from([-30, 30]), cls(2));
    expect(d.kind === 'classification' && [d.tv, d.disagreement]).toEqual([expect.closeTo(1, 9), 1]);
  });

  it('refuse outputs of different sizes or shapes with a message', () => {
    expect(() => functionDistance(new Float32Array(6), new Float32Array(4), cls(2))).toThrow(/sizes differ/);
    expect(() => functionDistance(new Float32Array(5), new Float32Array(5), cls(2))).toThrow(/not whole examples/);
  });
});

describe('regression distance', () => {
  it('is the RMS difference relative to the target RMS', () => {
    const a = Float32Array.from([1, 2, 3, 4]);
    const b = Float32Array.from([1, 2, 5, 4]); // one difference of 2: RMS = sqrt(4/4) = 1
    const d = functionDistance(a, b, { loss: 'mse', classes: 1, positions: 1 }, 2);
    expect(d.kind === 'regression' && d.relRms).toBeCloseTo(0.5, 12);
    expect(Array.from(d.perExample)).toEqual([0, 0, 2, 0]);
  });
});

it('probabilities are each row’s softmax', () => {
  const p = probabilities(Float32Array.from([0, Math.log(3), 0, 0]), 2);
  expect(Array.from(p)).toEqual([expect.closeTo(0.25, 6), expect.closeTo(0.75, 6), 0.5, 0.5]);
});
