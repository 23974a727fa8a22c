/**
 * The runs of the draft: one row each (batch size, learning rate, seed), an optional scheduled noise cut per
 * run, a fork's origin (read-only), add/remove, and a sweep helper.
 */
import { useId, useState } from 'react';
import { MAX_RUNS } from '../../spec/schema';
import { noiseColors } from '../colors';
import { editDraft, useExperiment } from '../stores/experiment';
import { FieldFrame, NumberField, useIssue } from './Field';
import './interventions.css';

interface DraftRun {
  id: string;
  batchSize: unknown;
  learningRate: unknown;
  seed: unknown;
  change?: unknown;
  fork?: { parent?: unknown; atStep?: unknown };
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
      <label title="Runs that differ only in seed form a seed group: the toolbar's 'seeds' draws each as its mean with a band">
        seeds per setting{' '}
        <input
          type="number"
          min={1}
          max={8}
          value={Array.isArray(ss) ? ss.length : ''}
          onChange={(e) => {
            const n = Math.max(1, Math.min(8, Math.round(Number(e.target.value)) || 1));
            setSeeds(Array.from({ length: n }, (_, i) => i + 1).join(', '));
          }}
          data-testid="sweep-seed-count"
        />
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
        <RunBlock key={i} index={i} run={run} runs={runs} />
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

/** One run: its fields on one line (their messages on one line under them), its fork origin, its noise cut. */
function RunBlock({ index: i, run, runs }: { index: number; run: DraftRun; runs: DraftRun[] }) {
  const errId = useId();
  const issues = [useIssue(['runs', i]), useIssue(['runs', i, 'id']), useIssue(['runs', i, 'batchSize']), useIssue(['runs', i, 'learningRate']), useIssue(['runs', i, 'seed'])].filter(
    (m): m is string => Boolean(m),
  );
  const forks = runs.filter((r) => r.fork?.parent === run.id).map((r) => r.id);
  // The colour the run will have on the charts (colour encodes B and η); a draft's numbers may not be numbers yet.
  const color = noiseColors(runs.map((r) => ({ id: r.id, batchSize: Number(r.batchSize), learningRate: Number(r.learningRate) }))).get(run.id);
  return (
    <div className="run-block" data-testid={`run-editor-${i}`}>
      <div className="run-row">
        <span className="swatch" style={{ background: color }} />
        <RunIdField index={i} issueShownAt={errId} />
        <NumberField label="B" path={['runs', i, 'batchSize']} hint="Batch size" issueShownAt={errId} />
        <NumberField label="η" path={['runs', i, 'learningRate']} hint="Learning rate" issueShownAt={errId} />
        <NumberField label="seed" path={['runs', i, 'seed']} hint="Initialisation and data-order seed" issueShownAt={errId} />
        <button
          type="button"
          className="icon"
          aria-label={forks.length ? `Run ${run.id} cannot be removed while it has forks` : `Remove run ${run.id}`}
          title={forks.length ? `Remove its forks first (${forks.join(', ')})` : undefined}
          disabled={runs.length <= 1 || forks.length > 0}
          onClick={() => editDraft(['runs'], runs.filter((_, j) => j !== i))}
        >
          ×
        </button>
      </div>
      {issues.length > 0 && (
        <p className="field-error run-issues" id={errId} role="alert">
          {issues.join('; ')}
        </p>
      )}
      {run.fork && <ForkInfo index={i} fork={run.fork} />}
      {forks.length > 0 && (
        <p className="run-note" data-testid="has-forks">
          Forked into {forks.join(', ')}: remove {forks.length === 1 ? 'that fork' : 'those forks'} before removing this run.
        </p>
      )}
      <NoiseCut index={i} run={run} />
    </div>
  );
}

/** Where a fork comes from (read-only: a fork is made from the run table), with the schema's complaints. */
function ForkInfo({ index, fork }: { index: number; fork: NonNullable<DraftRun['fork']> }) {
  const parentIssue = useIssue(['runs', index, 'fork', 'parent']);
  const stepIssue = useIssue(['runs', index, 'fork', 'atStep']);
  return (
    <div className="run-fork-info" data-testid="fork-info">
      <span>
        ↳ fork of <strong>{String(fork.parent)}</strong> at step {String(fork.atStep)}
      </span>
      <span className="hint-inline"> — starts from that run&apos;s exact state, same stream</span>
      {parentIssue && (
        <span className="field-error" role="alert">
          {parentIssue}
        </span>
      )}
      {stepIssue && (
        <span className="field-error" role="alert">
          {stepIssue}
        </span>
      )}
    </div>
  );
}

/** A scheduled noise cut: from step t₀ on, B × k and/or η ÷ k. Added and removed per run. */
function NoiseCut({ index, run }: { index: number; run: DraftRun }) {
  const budget = useExperiment((s) => s.draft.budgetSteps);
  const change = run.change as { atStep?: unknown; batchFactor?: unknown; lrDivisor?: unknown } | undefined;
  if (!change) {
    return (
      <button
        type="button"
        className="link-button add-cut"
        aria-label={`Add a noise cut to run ${run.id}`}
        onClick={() => {
          const third = typeof budget === 'number' && budget > 3 ? Math.floor(budget / 3) : 1000;
          const forkStep = typeof run.fork?.atStep === 'number' ? run.fork.atStep + 1 : 1;
          editDraft(['runs', index, 'change'], { atStep: Math.max(third, forkStep), batchFactor: 4, lrDivisor: 1 });
        }}
      >
        + noise cut (B × k or η ÷ k at step t₀)
      </button>
    );
  }
  return <NoiseCutFields index={index} run={run} change={change} />;
}

function NoiseCutFields({ index, run, change }: { index: number; run: DraftRun; change: { atStep?: unknown; batchFactor?: unknown; lrDivisor?: unknown } }) {
  const errId = useId();
  const path = (key: string) => ['runs', index, 'change', key];
  // The three fields are narrow: their messages go on one line under them, not inside each.
  const issues = [useIssue(path('atStep')), useIssue(path('batchFactor')), useIssue(path('lrDivisor')), useIssue(['runs', index, 'change'])].filter(
    (m): m is string => Boolean(m),
  );
  const { atStep, batchFactor, lrDivisor } = change;
  const { batchSize, learningRate } = run;
  const numeric = typeof batchSize === 'number' && typeof batchFactor === 'number' && typeof learningRate === 'number' && typeof lrDivisor === 'number';
  return (
    <div className="run-cut" data-testid="noise-cut" role="group" aria-label={`Noise cut of run ${run.id}`}>
      <span className="run-cut-title">Noise cut</span>
      <NumberField label="at step t₀" path={path('atStep')} hint="From this step on, the new batch size and learning rate apply" issueShownAt={errId} />
      <NumberField label="B ×" path={path('batchFactor')} hint="Batch size factor (the new batch must be a whole number)" issueShownAt={errId} />
      <NumberField label="η ÷" path={path('lrDivisor')} hint="Learning-rate divisor" issueShownAt={errId} />
      <button type="button" className="icon" aria-label={`Remove the noise cut of run ${run.id}`} onClick={() => editDraft(['runs', index, 'change'], undefined)}>
        ×
      </button>
      {issues.length > 0 ? (
        <span className="field-error run-cut-summary" id={errId} role="alert">
          {issues.join('; ')}
        </span>
      ) : (
        numeric && (
          <span className="run-cut-summary">
            from step {String(atStep)}: B {batchSize} → {Number((batchSize * batchFactor).toPrecision(6))}, η {learningRate} →{' '}
            {Number((learningRate / lrDivisor).toPrecision(4))}
          </span>
        )
      )}
    </div>
  );
}

function RunIdField({ index, issueShownAt }: { index: number; issueShownAt: string }) {
  const inputId = useId();
  const runId = useExperiment((s) => (s.draft.runs as DraftRun[])[index]?.id ?? '');
  const issue = useIssue(['runs', index, 'id']);
  return (
    <FieldFrame id={inputId} issue={undefined} className={`run-id${issue ? ' invalid' : ''}`}>
      <input
        id={inputId}
        aria-label="Run id"
        value={runId}
        aria-invalid={Boolean(issue)}
        aria-describedby={issue ? issueShownAt : undefined}
        data-path={`runs.${index}.id`}
        onChange={(e) => editDraft(['runs', index, 'id'], e.target.value)}
      />
    </FieldFrame>
  );
}
