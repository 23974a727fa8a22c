import type { TaskSpec } from '../../spec/schema';
import { TeacherStudentTask } from './teacherStudent';
import { Toy2dTask } from './toy2d';
import type { Task } from './task';
import type { Assets } from '../data/assets';
import { MarkovTask } from './markov';

export type { Task, LossKind } from './task';

/** The data files (see data/assets.ts) a task needs loaded before `createTask`. */
export function assetsFor(spec: TaskSpec): string[] {
  switch (spec.kind) {
    case 'teacher-student':
    case 'toy2d':
    case 'markov':
      return [];
  }
}

export function createTask(spec: TaskSpec, dataSeed: number, _assets: Assets = new Map()): Task {
  switch (spec.kind) {
    case 'teacher-student':
      return new TeacherStudentTask(spec, dataSeed);
    case 'toy2d':
      return new Toy2dTask(spec.dataset, spec.labelNoise);
    case 'markov':
      return new MarkovTask({ alphabet: spec.alphabet, order: spec.order === 1 ? 1 : 2, concentration: spec.concentration, context: spec.context }, dataSeed);
  }
}
