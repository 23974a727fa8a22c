import type { TaskSpec } from '../../spec/schema';
import { TeacherStudentTask } from './teacherStudent';
import { Toy2dTask } from './toy2d';
import { DIGITS_FILE, DigitsTask, digitsSet } from './digits';
import { ShapesTask } from './shapes';
import { CsvTask, csvTable } from './csv';
import type { Task } from './task';
import { requireAsset, type Assets } from '../data/assets';
import { MarkovTask } from './markov';
import { TextTask, corpusAsset, corpusFrom } from './text';

export type { Task, LossKind } from './task';

/** The data files (see data/assets.ts) a task needs loaded before `createTask`. */
export function assetsFor(spec: TaskSpec): string[] {
  switch (spec.kind) {
    case 'teacher-student':
    case 'toy2d':
    case 'shapes':
      return [];
    case 'digits':
      return [DIGITS_FILE];
    case 'csv':
      return [spec.file];
    case 'markov':
      return [];
    case 'text':
      return [corpusAsset(spec.corpus)];
  }
}

export function createTask(spec: TaskSpec, dataSeed: number, assets: Assets = new Map()): Task {
  switch (spec.kind) {
    case 'teacher-student':
      return new TeacherStudentTask(spec, dataSeed);
    case 'toy2d':
      return new Toy2dTask(spec.dataset, spec.labelNoise);
    case 'digits':
      return new DigitsTask(digitsSet(assets), dataSeed);
    case 'shapes':
      return new ShapesTask(spec.noise);
    case 'csv':
      return new CsvTask(csvTable(assets, spec.file, spec.label), spec.heldOut, dataSeed);
    case 'markov':
      return new MarkovTask({ alphabet: spec.alphabet, order: spec.order === 1 ? 1 : 2, concentration: spec.concentration, context: spec.context }, dataSeed);
    case 'text': {
      const name = corpusAsset(spec.corpus);
      return new TextTask(corpusFrom(requireAsset(assets, name), name), name, spec.context, dataSeed);
    }
  }
}
