/** Editor fields of the language tasks (text, Markov) and of the transformer. */
import { useId } from 'react';
import { UPLOAD_PREFIX } from '../../engine/data/assets';
import { IMAGE_TASKS, ModelSpec, TEXT_CORPORA, defaultTask, type TaskSpec } from '../../spec/schema';
import { editDraft, useExperiment } from '../stores/experiment';
import { FieldFrame, NumberField, useIssue } from './Field';
import { UploadText, useUploads } from './UploadText';

export const SEQUENCE_TASKS = ['text', 'markov'] as const;

const CORPUS_TITLES: Record<(typeof TEXT_CORPORA)[number], string> = { kjv: 'King James Bible (4.1 MB)' };

export function isSequenceTask(kind: unknown): boolean {
  return (SEQUENCE_TASKS as readonly unknown[]).includes(kind);
}

/**
 * Switches the draft's task, and its model where the new task needs another one: the sequence tasks train
 * the transformer, the others an MLP.
 */
export function selectTask(kind: TaskSpec['kind']): void {
  editDraft(['task'], defaultTask(kind));
  const model = useExperiment.getState().draft.model as { kind?: string } | undefined;
  const transformer = model?.kind === 'transformer';
  if (isSequenceTask(kind) && !transformer) editDraft(['model'], ModelSpec.parse({ kind: 'transformer' }));
  if (!isSequenceTask(kind) && transformer) editDraft(['model'], ModelSpec.parse({ kind: 'mlp' }));
  // The CNN reads images only.
  if (model?.kind === 'cnn' && !IMAGE_TASKS.includes(kind)) editDraft(['model'], ModelSpec.parse({ kind: 'mlp' }));
}

function CorpusField() {
  const id = useId();
  const value = useExperiment((s) => (s.draft.task as { corpus?: string }).corpus ?? 'kjv');
  const files = useUploads((s) => s.files);
  const issue = useIssue(['task', 'corpus']);
  const uploads = [...new Set([...Object.keys(files), ...(value.startsWith(UPLOAD_PREFIX) ? [value] : [])])];
  return (
    <FieldFrame id={id} label="Text" issue={issue}>
      <select id={id} value={value} data-path="task.corpus" aria-invalid={Boolean(issue)} onChange={(e) => editDraft(['task', 'corpus'], e.target.value)}>
        {TEXT_CORPORA.map((c) => (
          <option key={c} value={c}>
            {CORPUS_TITLES[c]}
          </option>
        ))}
        {uploads.map((name) => (
          <option key={name} value={name}>
            Your file: {name.slice(UPLOAD_PREFIX.length)}
            {files[name] ? ` (${files[name].characters.toLocaleString('en-US')} characters)` : ' (not loaded)'}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export function TextTaskFields() {
  return (
    <>
      <CorpusField />
      <UploadText />
      <NumberField label="Context" path={['task', 'context']} hint="Characters the model sees; a sample is a window of context + 1" />
      <p className="hint">Online reads each window of the text once: a run that would need a second pass stops and says so.</p>
    </>
  );
}

export function MarkovTaskFields() {
  return (
    <>
      <NumberField label="Alphabet" path={['task', 'alphabet']} hint="Letters of the synthetic language" />
      <NumberField label="Order" path={['task', 'order']} hint="1 or 2: letters of context the source conditions on" />
      <NumberField label="Dirichlet α" path={['task', 'concentration']} hint="Smaller: more predictable, lower entropy rate (the dashed floor)" />
      <NumberField label="Context" path={['task', 'context']} hint="Letters the model sees per sample" />
    </>
  );
}

export function TransformerFields() {
  return (
    <>
      <NumberField label="Layers" path={['model', 'layers']} />
      <NumberField label="Width" path={['model', 'width']} hint="Embedding width d" />
      <NumberField label="Heads" path={['model', 'heads']} hint="Attention heads; the width must split evenly" />
    </>
  );
}
