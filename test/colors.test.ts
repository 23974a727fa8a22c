/** Colour by noise (ui/colors.ts): one hue per batch size, lightness per learning rate. */
import { describe, expect, it } from 'vitest';
import { curveColors, noiseColors } from '../src/ui/colors';

const parse = (hsl: string) => hsl.match(/hsl\((\d+) 70% (\d+)%\)/)!.slice(1).map(Number);

describe('noise colours', () => {
  it('orders hues by batch size and lightness by learning rate; seed twins share a colour', () => {
    const runs = [8, 32, 128, 512].flatMap((b) => [0.05, 0.1].flatMap((lr) => [1, 2].map((seed) => ({ id: `b${b}-lr${lr}-s${seed}`, batchSize: b, learningRate: lr }))));
    const colors = noiseColors(runs);
    const hsl = (b: number, lr: number, seed = 1) => parse(colors.get(`b${b}-lr${lr}-s${seed}`)!);
    expect(hsl(8, 0.1)).toEqual(hsl(8, 0.1, 2));
    const hues = [8, 32, 128, 512].map((b) => hsl(b, 0.1)[0]);
    expect(hues).toEqual([...hues].sort((a, b) => a - b));
    expect(new Set(hues).size).toBe(4);
    for (const b of [8, 32, 128, 512]) {
      expect(hsl(b, 0.05)[0]).toBe(hsl(b, 0.1)[0]); // same hue across η
      expect(hsl(b, 0.05)[1]).toBeLessThan(hsl(b, 0.1)[1]); // darker for the smaller η
    }
    expect(new Set(colors.values()).size).toBe(8);
  });

  it('a single batch size gets one middle hue; curves not in the experiment take the palette', () => {
    const colors = curveColors([{ id: 'a', batchSize: 8, learningRate: 0.1 }], ['a', 'i1/a']);
    expect(parse(colors.get('a')!)).toEqual([210, 46]);
    expect(colors.get('i1/a')).toMatch(/^#[0-9a-f]{6}$/);
  });
});
