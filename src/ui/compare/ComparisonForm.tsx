/**
 * "Snapshot at equal loss": choose runs A and B and a level — the lowest both have reached, "now" (the
 * held-out loss of whichever is further down, right now), or any level of the ladder.
 */
import { useId, useState, type FormEvent } from 'react';
import type { ProbeInfo } from '../../engine/trainer';
import type { ExperimentSpec } from '../../spec/schema';
import { addComparison, snapshotNow } from '../actions';
import { formatNumber } from '../charts/format';

interface Props {
  spec: ExperimentSpec;
  probe: ProbeInfo | null;
}

/** Default pair: the first two runs whose batch size or learning rate differ (different noise). */
function defaultPair(spec: ExperimentSpec): [string, string] {
  const [first, ...rest] = spec.runs;
  const other = rest.find((r) => r.batchSize !== first.batchSize || r.learningRate !== first.learningRate) ?? rest[0];
  return [first.id, other?.id ?? first.id];
}

export function ComparisonForm({ spec, probe }: Props) {
  const id = useId();
  const [pair, setPair] = useState<[string, string] | null>(null);
  const [level, setLevel] = useState('lowest');
  const ids = spec.runs.map((r) => r.id);
  // A run removed since it was chosen falls back to the default pair.
  const [a, b] = pair && ids.includes(pair[0]) && ids.includes(pair[1]) ? pair : defaultPair(spec);
  const error = a === b ? 'Choose two different runs.' : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (error) return;
    if (level === 'now') snapshotNow(a, b);
    else addComparison({ a, b, level: level === 'lowest' ? 'lowest' : Number(level) });
  };

  const runSelect = (side: 0 | 1, label: string) => (
    <label className="compare-field">
      <span>{label}</span>
      <select aria-label={`Run ${label}`} value={side === 0 ? a : b} onChange={(e) => setPair(side === 0 ? [e.target.value, b] : [a, e.target.value])} aria-invalid={!!error} aria-describedby={error ? `${id}-error` : undefined}>
        {ids.map((runId) => (
          <option key={runId} value={runId}>
            {runId}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <form className="compare-form" onSubmit={submit} aria-label="Snapshot at equal loss">
      {runSelect(0, 'A')}
      {runSelect(1, 'B')}
      <label className="compare-field">
        <span>at held-out loss</span>
        <select aria-label="Level" value={level} onChange={(e) => setLevel(e.target.value)}>
          <option value="lowest">lowest level both reached</option>
          <option value="now">now (the loss of the run further down)</option>
          {probe?.levels.map((l) => (
            <option key={l} value={String(l)}>
              {formatNumber(l)}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={!!error}>
        Snapshot at equal loss
      </button>
      {error && (
        <span id={`${id}-error`} className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
