import type { TaskSpec } from '../../spec/schema';
import { TeacherStudentTask } from './teacherStudent';
import { Toy2dTask } from './toy2d';
import type { Task } from './task';

export type { Task, LossKind } from './task';

export function createTask(spec: TaskSpec, dataSeed: number): Task {
  switch (spec.kind) {
    case 'teacher-student':
      return new TeacherStudentTask(spec, dataSeed);
    case 'toy2d':
      return new Toy2dTask(spec.dataset, spec.labelNoise);
  }
}
