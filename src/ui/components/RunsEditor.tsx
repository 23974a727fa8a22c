/** The runs of the draft: one row each (batch size, learning rate, seed), add/remove, and a sweep helper. */
import { useId, useState } from 'react';
import { MAX_RUNS } from '../../spec/schema';
import { runColor } from '../colors';
import { editDraft, useExperiment } from '../stores/experiment';
import { FieldFrame, NumberField, useIssue } from './Field';

interface DraftRun {
  id: string;
  batchSize: unknown;
  learningRate: unknown;
  seed: unknown;
}

function freshId(runs: DraftRun[], base: string): string {
  const taken = new Set(runs.map((r) => r.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Parses "8, 32, 128" into numbers; returns an error message for anything else. */
export function parseList(text: string, label: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return `${label}: give at least one value`;
  const values = parts.map(Number);
  const bad = parts.find((_, i) => !Number.isFinite(values[i]) || values[i] <= 0);
  return bad === undefined ? values : `${label}: "${bad}" is not a positive number`;
}

function SweepHelper({ runs }: { runs: DraftRun[] }) {
  const [batches, setBatches] = useState('8, 32, 128, 512');
  const [rates, setRates] = useState('0.1');
  const [seeds, setSeeds] = useState('1');
  const lists = [parseList(batches, 'Batch sizes'), parseList(rates, 'Learning rates'), parseList(seeds, 'Seeds')];
  const error = lists.find((l): l is string => typeof l === 'string');
  const [bs, lrs, ss] = lists as number[][];
  const count = error ? 0 : bs.length * lrs.length * ss.length;
  const tooMany = count > MAX_RUNS;

  function createGrid() {
    const grid: DraftRun[] = [];
    for (const b of bs)
      for (const lr of lrs)
        for (const seed of ss) {
          const base = [`b${b}`, lrs.length > 1 ? `lr${String(lr).replace('.', 'p')}` : '', ss.length > 1 ? `s${seed}` : '']
            .filter(Boolean)
            .join('-');
          grid.push({ id: freshId(grid, base), batchSize: b, learningRate: lr, seed });
        }
    editDraft(['runs'], grid);
  }

  return (
    <details className="sweep">
      <summary>Sweep: batch sizes × learning rates × seeds</summary>
      <label>
        Batch sizes <input value={batches} onChange={(e) => setBatches(e.target.value)} data-testid="sweep-batches" />
      </label>
      <label>
        Learning rates <input value={rates} onChange={(e) => setRates(e.target.value)} data-testid="sweep-lrs" />
      </label>
      <label>
        Seeds <input value={seeds} onChange={(e) => setSeeds(e.target.value)} data-testid="sweep-seeds" />
      </label>
      {error && <span className="field-error">{error}</span>}
      {tooMany && <span className="field-error">{count} runs: at most {MAX_RUNS}</span>}
      <button type="button" disabled={Boolean(error) || tooMany} onClick={createGrid}>
        Replace runs with this grid{count ? ` (${count} runs)` : ''}
      </button>
      {runs.length > 0 && <small> Replaces the {runs.length} runs below; apply to train them.</small>}
    </details>
  );
}

export function RunsEditor() {
  const runs = useExperiment((s) => (Array.isArray(s.draft.runs) ? (s.draft.runs as DraftRun[]) : []));
  const runsIssue = useIssue(['runs']);
  return (
    <fieldset className="runs-editor">
      <legend>Runs</legend>
      {runs.map((run, i) => (
        <div className="run-row" key={i} data-testid={`run-editor-${i}`}>
          <span className="swatch" style={{ background: runColor(i) }} />
          <RunIdField index={i} />
          <NumberField label="B" path={['runs', i, 'batchSize']} hint="Batch size" />
          <NumberField label="η" path={['runs', i, 'learningRate']} hint="Learning rate" />
          <NumberField label="seed" path={['runs', i, 'seed']} hint="Initialisation and data-order seed" />
          <button
            type="button"
            className="icon"
            aria-label={`Remove run ${run.id}`}
            disabled={runs.length <= 1}
            onClick={() => editDraft(['runs'], runs.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      {runsIssue && <span className="field-error">{runsIssue}</span>}
      <button
        type="button"
        disabled={runs.length >= MAX_RUNS}
        onClick={() => {
          const last = runs[runs.length - 1];
          editDraft(['runs'], [...runs, { id: freshId(runs, 'run'), batchSize: last?.batchSize ?? 32, learningRate: last?.learningRate ?? 0.1, seed: 1 }]);
        }}
      >
        + Add run
      </button>
      <SweepHelper runs={runs} />
    </fieldset>
  );
}

function RunIdField({ index }: { index: number }) {
  const inputId = useId();
  const runId = useExperiment((s) => (s.draft.runs as DraftRun[])[index]?.id ?? '');
  const issue = useIssue(['runs', index, 'id']);
  return (
    <FieldFrame id={inputId} issue={issue} className="run-id">
      <input id={inputId} aria-label="Run id" value={runId} aria-invalid={Boolean(issue)} onChange={(e) => editDraft(['runs', index, 'id'], e.target.value)} />
    </FieldFrame>
  );
}
