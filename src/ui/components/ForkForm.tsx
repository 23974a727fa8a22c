/**
 * The inline form that forks a training run now: a new run starting from the parent's exact current state
 * (parameters, optimizer state, stream position), with its own batch size and learning rate. Validated as
 * typed, with the reason beside each field; Enter submits, Esc cancels.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent, type RefObject } from 'react';
import type { RunProgress } from '../../engine/trainer';
import { MAX_BATCH, type RunSpec } from '../../spec/schema';
import { forkRun } from '../actions';
import './interventions.css';

const RUN_ID = /^[A-Za-z0-9_-]{1,24}$/;
const MAX_LR = 100;

export interface ForkValues {
  id: string;
  batchSize: string;
  learningRate: string;
}

export type ForkErrors = Partial<Record<keyof ForkValues, string>>;

/** What is wrong with a fork's fields (empty when nothing is). `maxBatch` is 8192, or the training set size offline. */
export function validateFork(values: ForkValues, takenIds: ReadonlySet<string>, maxBatch: number, offline: boolean): ForkErrors {
  const errors: ForkErrors = {};
  const id = values.id.trim();
  if (!RUN_ID.test(id)) errors.id = 'Run id: 1–24 letters, digits, - or _';
  else if (takenIds.has(id)) errors.id = `Run id "${id}" is already used`;

  const b = Number(values.batchSize.trim());
  if (values.batchSize.trim() === '' || !Number.isFinite(b)) errors.batchSize = 'Batch size must be a number';
  else if (!Number.isInteger(b)) errors.batchSize = 'Batch size must be a whole number';
  else if (b < 1) errors.batchSize = 'Batch size must be at least 1';
  else if (b > maxBatch) errors.batchSize = offline ? `Batch size must be at most the training set size (${maxBatch})` : `Batch size must be at most ${maxBatch}`;

  const lr = Number(values.learningRate.trim());
  if (values.learningRate.trim() === '' || !Number.isFinite(lr)) errors.learningRate = 'Learning rate must be a number';
  else if (lr <= 0) errors.learningRate = 'Learning rate must be greater than 0';
  else if (lr > MAX_LR) errors.learningRate = `Learning rate must be at most ${MAX_LR}`;
  return errors;
}

/** The first free id of the form "<parent>-f<n>", kept within 24 characters. */
export function freshForkId(parent: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n++) {
    const suffix = `-f${n}`;
    const id = `${parent.slice(0, 24 - suffix.length)}${suffix}`;
    if (!taken.has(id)) return id;
  }
}

/** The parent's learning rate as a run spec states it, after any scheduled change it has passed. */
function currentBaseLr(parent: RunSpec, step: number): number {
  const c = parent.change;
  return c && step >= c.atStep ? parent.learningRate / c.lrDivisor : parent.learningRate;
}

interface Props {
  parent: RunSpec;
  progress: RunProgress | undefined;
  takenIds: ReadonlySet<string>;
  offlineTrainSize: number | null;
  /** Called when the form closes (submitted or cancelled). */
  onClose: () => void;
}

export function ForkForm({ parent, progress, takenIds, offlineTrainSize, onClose }: Props) {
  const maxBatch = offlineTrainSize ?? MAX_BATCH;
  const [values, setValues] = useState<ForkValues>(() => {
    const currentB = progress?.batchSize ?? parent.batchSize;
    return {
      id: freshForkId(parent.id, takenIds),
      batchSize: String(Math.min(maxBatch, currentB * 4)),
      learningRate: String(Number(currentBaseLr(parent, progress?.step ?? 0).toPrecision(6))),
    };
  });
  const batchRef = useRef<HTMLInputElement>(null);
  const idRef = useRef<HTMLInputElement>(null);
  const lrRef = useRef<HTMLInputElement>(null);
  const uid = useId();

  useEffect(() => {
    batchRef.current?.focus();
    batchRef.current?.select();
  }, []);

  const errors = validateFork(values, takenIds, maxBatch, offlineTrainSize !== null);
  const canFork = progress?.status === 'running';
  const set = (key: keyof ForkValues) => (e: { target: { value: string } }) => setValues((v) => ({ ...v, [key]: e.target.value }));

  function submit() {
    if (!canFork) return;
    const firstBad = errors.batchSize ? batchRef : errors.learningRate ? lrRef : errors.id ? idRef : null;
    if (firstBad) {
      firstBad.current?.focus();
      return;
    }
    forkRun(parent.id, values.id.trim(), Number(values.batchSize), Number(values.learningRate));
    onClose();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    }
  }

  const field = (key: keyof ForkValues, label: string, ref: RefObject<HTMLInputElement | null>, hint: string, inputMode: 'decimal' | 'numeric' | 'text') => {
    const id = `${uid}-${key}`;
    const error = errors[key];
    return (
      <div className={`field${error ? ' invalid' : ''}`}>
        <label htmlFor={id} title={hint}>
          {label}
        </label>
        <input
          id={id}
          ref={ref}
          value={values[key]}
          inputMode={inputMode}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={Boolean(error)}
          aria-describedby={error ? `${id}-err` : undefined}
          data-testid={`fork-${key}`}
          onChange={set(key)}
        />
        {error && (
          <span className="field-error" id={`${id}-err`} role="alert">
            {error}
          </span>
        )}
      </div>
    );
  };

  return (
    <form
      className="fork-form"
      aria-label={`Fork run ${parent.id}`}
      data-testid={`fork-form-${parent.id}`}
      noValidate
      onKeyDown={onKeyDown}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <p className="fork-form-title">
        Fork <strong>{parent.id}</strong> now{progress ? ` (at step ${progress.step.toLocaleString('en-US')})` : ''}: a new run from its exact state and
        stream position, with its own batch size and learning rate.
      </p>
      {field('batchSize', 'new B', batchRef, `Batch size of the branch (now ${progress?.batchSize ?? parent.batchSize}; at most ${maxBatch})`, 'numeric')}
      {field('learningRate', 'new η', lrRef, 'Learning rate of the branch', 'decimal')}
      {field('id', 'id', idRef, 'The new run’s id: 1–24 letters, digits, - or _', 'text')}
      <div className="fork-form-actions">
        <button type="submit" className="primary" data-testid="fork-submit" disabled={!canFork}>
          Fork
        </button>
        <button type="button" onClick={onClose} data-testid="fork-cancel">
          Cancel
        </button>
        <span className="hint-inline">Esc cancels</span>
      </div>
      {!canFork && (
        <p className="field-error" role="alert">
          {parent.id} is {progress?.status ?? 'not started'}: only a training run can be forked.
        </p>
      )}
    </form>
  );
}
