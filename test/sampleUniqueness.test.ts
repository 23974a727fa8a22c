import { describe, expect, it } from 'vitest';
import { Toy2dTask } from '../src/engine/tasks/toy2d';
import { TeacherStudentTask } from '../src/engine/tasks/teacherStudent';

describe('an online stream never repeats a sample', () => {
  it('has no duplicate inputs among 400,000 consecutive samples', () => {
    // Keys come from a bijective hash of the index (see hashKeys); a lossy one would repeat ~19 here.
    const task = new TeacherStudentTask(
      { output: 'regression', inputDim: 2, teacherWidth: 1, classes: 2, teacherScale: 1, labelNoise: 0 },
      1,
    );
    const n = 400_000;
    const x = new Float32Array(n * 2);
    task.fill(12345, 0, n, x, new Float32Array(n));
    const seen = new Set<string>();
    let repeats = 0;
    for (let i = 0; i < n; i++) {
      const key = `${x[2 * i]},${x[2 * i + 1]}`;
      if (seen.has(key)) repeats++;
      seen.add(key);
    }
    expect(repeats).toBe(0);
  });

  it('differs between neighbouring indices and stream keys in the toy sets too', () => {
    const task = new Toy2dTask('gaussians', 0);
    const a = new Float32Array(4);
    const b = new Float32Array(4);
    task.fill(1, 0, 2, a, new Float32Array(4));
    task.fill(2, 0, 2, b, new Float32Array(4));
    expect(a.slice(0, 2)).not.toEqual(a.slice(2, 4));
    expect(a).not.toEqual(b);
  });
});
