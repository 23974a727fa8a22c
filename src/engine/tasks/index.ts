import type { TaskSpec } from '../../spec/schema';
import { TeacherStudentTask } from './teacherStudent';
import { Toy2dTask } from './toy2d';
import type { Task } from './task';
import type { Assets } from '../data/assets';

export type { Task, LossKind } from './task';

/** The data files (see data/assets.ts) a task needs loaded before `createTask`. */
export function assetsFor(spec: TaskSpec): string[] {
  switch (spec.kind) {
    case 'teacher-student':
    case 'toy2d':
      return [];
  }
}

export function createTask(spec: TaskSpec, dataSeed: number, _assets: Assets = new Map()): Task {
  switch (spec.kind) {
    case 'teacher-student':
      return new TeacherStudentTask(spec, dataSeed);
    case 'toy2d':
      return new Toy2dTask(spec.dataset, spec.labelNoise);
  }
}
