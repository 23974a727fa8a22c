/**
 * Every run at a glance: colour, settings, status, latest losses, progress and throughput, then the noise
 * diagnostics (current batch size, gradient noise scale B_simple, temperature η/B) and, offline, the loss on
 * the training set. Runs are listed as families: a fork sits indented under its parent. A training run can
 * be forked from its row. With seed groups on (the view's "seeds"), runs that differ only in seed collapse into
 * one row showing the group's mean ± std across seeds; ▸ opens it.
 */
import { Fragment, useRef, useState } from 'react';
import type { RunProgress } from '../../engine/trainer';
import type { NoiseChangeSpec, RunSpec } from '../../spec/schema';
import { noiseColors } from '../colors';
import { meanBand, seedGroups } from '../../engine/groups';
import { useView } from '../stores/view';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { ForkForm } from './ForkForm';
import { useControlHidden } from '../stores/classroom';
import { ESTIMATING, ESTIMATING_WHY, fmtNoiseScale, intervalText, noiseReading } from '../noiseReading';
import './interventions.css';

const fmt = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '–' : Number(v.toPrecision(digits)).toString());

/** η/B as e.g. 3.1e-3. */
export const fmtTemperature = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toExponential(1));

/** "B×8, η÷2 @ step 1000" (factors of 1 left out). */
export function changeLabel(change: NoiseChangeSpec): string {
  const parts = [change.batchFactor !== 1 ? `B×${change.batchFactor}` : '', change.lrDivisor !== 1 ? `η÷${change.lrDivisor}` : ''].filter(Boolean);
  return `${parts.length ? parts.join(', ') : 'B×1, η÷1'} @ step ${change.atStep}`;
}

/**
 * "≫ B: not resolved" where B_simple's |G|² interval reaches zero, "estimating…" until its interval exists,
 * else the value (its interval in the title).
 */
function NoiseScaleCell({ p }: { p: RunProgress | undefined }) {
  const reading = noiseReading(p);
  if (reading.kind === 'unresolved') {
    return (
      <td data-testid="noise-scale" data-value="" data-unresolved="true" title="The interval of |G|² reaches zero: B_simple is far above B and the estimate means little here">
        B<sub>simple</sub> ≫ B here: not resolved
      </td>
    );
  }
  if (reading.kind === 'estimating') {
    return (
      <td data-testid="noise-scale" data-value="" data-estimating="true" title={ESTIMATING_WHY}>
        {ESTIMATING}
      </td>
    );
  }
  const value = reading.kind === 'value' ? reading : null;
  return (
    <td data-testid="noise-scale" data-value={value?.scale ?? ''} title={value ? intervalText(value) : undefined}>
      {fmtNoiseScale(value?.scale)}
    </td>
  );
}

/** A seed group's B_simple: "estimating…" while a member has no interval yet, else the members' mean ± std. */
function groupNoiseScale(ps: Array<RunProgress | undefined>): string {
  const readings = ps.map(noiseReading);
  if (readings.some((r) => r.kind === 'estimating')) return ESTIMATING;
  return groupValue(readings.map((r) => (r.kind === 'value' ? r.scale : null)));
}

/** "mean ± std" of a value across a group's runs. */
function groupValue(values: Array<number | null | undefined>): string {
  const band = meanBand(
    values.filter((v): v is number => typeof v === 'number'),
    'std',
  );
  if (!band) return '–';
  return band.std === null ? fmt(band.mean) : `${fmt(band.mean, 3)} ± ${fmt(band.std, 2)}`;
}

interface Row {
  run: RunSpec;
  /** Position in the experiment. */
  index: number;
  /** 0 for a run, 1 for a fork of it, 2 for a fork of that fork… */
  depth: number;
}

/** The runs in family order: each run followed by its forks (depth first), otherwise in experiment order. */
export function familyOrder(runs: RunSpec[]): Row[] {
  const ids = new Set(runs.map((r) => r.id));
  const children = new Map<string, number[]>();
  const roots: number[] = [];
  runs.forEach((run, i) => {
    const parent = run.fork?.parent;
    if (parent !== undefined && ids.has(parent) && parent !== run.id) children.set(parent, [...(children.get(parent) ?? []), i]);
    else roots.push(i);
  });
  const rows: Row[] = [];
  const seen = new Set<number>();
  const visit = (i: number, depth: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    rows.push({ run: runs[i], index: i, depth });
    for (const c of children.get(runs[i].id) ?? []) visit(c, depth + 1);
  };
  roots.forEach((i) => visit(i, 0));
  runs.forEach((_, i) => visit(i, 0)); // anything unreachable (a cycle cannot pass the schema, but never drop a run)
  return rows;
}

function statusOf(p: RunProgress | undefined, playing: boolean): string {
  if (!p) return 'starting';
  return p.status === 'running' && !playing ? 'paused' : p.status;
}

function statusTitle(run: RunSpec, p: RunProgress | undefined): string | undefined {
  if (p?.reason) return p.reason;
  if (p?.status === 'waiting' && run.fork) return `Starts when ${run.fork.parent} reaches step ${run.fork.atStep}`;
  return undefined;
}

export function RunTable() {
  const specs = useExperiment((s) => s.spec.runs);
  const regime = useExperiment((s) => s.spec.regime);
  const progress = useRuns((s) => s.runs);
  const playing = useRuns((s) => s.playing);
  const [forking, setForking] = useState<string | null>(null);
  const [opened, setOpened] = useState<ReadonlySet<string>>(new Set());
  const groupMode = useView((s) => s.groups);
  const colors = noiseColors(specs);
  // Seed groups of two or more, by their first run; the others are shown only when the group is opened.
  const groups = groupMode === 'off' ? new Map<string, string[]>() : new Map(seedGroups(specs).filter((g) => g.runs.length > 1).map((g) => [g.runs[0], g.runs]));
  const hiddenMembers = new Set([...groups].flatMap(([first, runs]) => (opened.has(first) ? [] : runs.slice(1))));
  const hideFork = useControlHidden('fork');
  const forkButtons = useRef(new Map<string, HTMLButtonElement>());
  const byId = new Map(progress.map((p) => [p.id, p]));
  const offline = regime.kind === 'offline';
  const takenIds = new Set(specs.map((r) => r.id));
  const columns = 14 + (offline ? 1 : 0);

  function closeFork(parent: string) {
    setForking(null);
    // Back to the button that opened the form, for keyboard users (the row may have re-rendered by then).
    requestAnimationFrame(() => forkButtons.current.get(parent)?.focus());
  }

  return (
    <div className="run-table-wrap">
      <table className="run-table" data-testid="run-table">
        <thead>
          <tr>
            <th>run</th>
            <th title="Batch size (as set; see 'B now' for the current one)">B</th>
            <th title="Learning rate (as set)">η</th>
            <th>seed</th>
            <th>status</th>
            <th>train loss</th>
            <th>held-out loss</th>
            <th>steps</th>
            <th>samples</th>
            <th>samples/s</th>
            <th className="diag-start" title="The batch size in use now: a scheduled noise cut changes it mid-run">
              B now
            </th>
            <th title="Gradient noise scale B_simple = tr(Σ)/|G|² (smoothed): the batch size beyond which a larger batch buys little per step">
              B<sub>simple</sub>
            </th>
            <th title="Temperature: learning rate over batch size, now (with momentum, η/(B(1−β)))">η/B</th>
            {offline && <th title="Loss on (a fixed slice of) the training set: the gap to the held-out loss is overfitting">train-set loss</th>}
            <th>
              <span className="visually-hidden">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {familyOrder(specs).map(({ run, depth }) => {
            if (hiddenMembers.has(run.id)) return null;
            const group = groups.get(run.id);
            if (group && !opened.has(run.id)) {
              const ps = group.map((id) => byId.get(id));
              return (
                <tr key={run.id} data-testid={`group-row-${run.id}`} className="group-row">
                  <td className="run-cell">
                    <button type="button" className="link-button" aria-expanded={false} aria-label={`Show the ${group.length} runs of ${run.id}'s group`} onClick={() => setOpened(new Set([...opened, run.id]))} data-testid="group-open">
                      ▸
                    </button>{' '}
                    <span className="swatch" style={{ background: colors.get(run.id) }} /> <span className="run-id">{run.id}</span>
                    <span className="run-sub">group of {group.length} seeds</span>
                  </td>
                  <td>{run.batchSize}</td>
                  <td>{run.learningRate}</td>
                  <td>{group.map((id) => specs.find((r) => r.id === id)!.seed).join(', ')}</td>
                  <td>{[...new Set(ps.map((p) => statusOf(p, playing)))].join(', ')}</td>
                  <td data-testid="group-train-loss">{groupValue(ps.map((p) => p?.trainLoss))}</td>
                  <td data-testid="group-eval-loss">{groupValue(ps.map((p) => p?.evalLoss))}</td>
                  <td>{Math.min(...ps.map((p) => p?.step ?? 0))}</td>
                  <td>{Math.min(...ps.map((p) => p?.samples ?? 0))}</td>
                  <td>–</td>
                  <td className="diag-start">{ps[0]?.batchSize ?? run.batchSize}</td>
                  <td>{groupNoiseScale(ps)}</td>
                  <td>{fmtTemperature(ps[0]?.temperature)}</td>
                  {offline && <td>{groupValue(ps.map((p) => p?.trainSetLoss))}</td>}
                  <td />
                </tr>
              );
            }
            const p = byId.get(run.id);
            const status = statusOf(p, playing);
            const changed = p !== undefined && p.batchSize !== run.batchSize;
            const formOpen = forking === run.id;
            return (
              <Fragment key={run.id}>
                <tr data-testid={`run-row-${run.id}`} data-status={status} className={depth > 0 ? 'fork-row' : undefined}>
                  <td className="run-cell" style={depth > 0 ? { paddingLeft: 8 + depth * 16 } : undefined}>
                    {group && (
                      <button type="button" className="link-button" aria-expanded={true} aria-label={`Collapse ${run.id}'s group`} onClick={() => setOpened(new Set([...opened].filter((id) => id !== run.id)))} data-testid="group-close">
                        ▾
                      </button>
                    )}{' '}
                    <span className="swatch" style={{ background: colors.get(run.id) }} /> <span className="run-id">{run.id}</span>
                    {run.fork && (
                      <span className="run-sub run-family" data-testid="run-family" title={`A branch of ${run.fork.parent}, from its exact state after ${run.fork.atStep} steps`}>
                        ↳ {run.fork.parent} @ step {run.fork.atStep}
                      </span>
                    )}
                    {run.change && (
                      <span
                        className={`run-sub run-change${p && p.step >= run.change.atStep ? ' applied' : ''}`}
                        data-testid="run-change"
                        title={`Scheduled noise cut: from step ${run.change.atStep} on, B ${run.batchSize} → ${run.batchSize * run.change.batchFactor}, η ${run.learningRate} → ${Number((run.learningRate / run.change.lrDivisor).toPrecision(4))}`}
                      >
                        {changeLabel(run.change)}
                      </span>
                    )}
                  </td>
                  <td>{run.batchSize}</td>
                  <td>{run.learningRate}</td>
                  <td>{run.seed}</td>
                  <td className={`status status-${status}`} title={statusTitle(run, p)}>
                    {status}
                  </td>
                  <td data-testid="train-loss" data-value={p?.trainLoss ?? ''}>
                    {fmt(p?.trainLoss)}
                  </td>
                  <td>{fmt(p?.evalLoss)}</td>
                  <td data-testid="steps">{p?.step ?? 0}</td>
                  <td data-testid="samples">{p?.samples ?? 0}</td>
                  <td>{p && p.wallMs > 0 ? Math.round((p.samples / p.wallMs) * 1000).toLocaleString('en-US') : '–'}</td>
                  <td className={`diag-start${changed ? ' changed' : ''}`} data-testid="batch-now">
                    {p?.batchSize ?? run.batchSize}
                  </td>
                  <NoiseScaleCell p={p} />
                  <td data-testid="temperature" data-value={p?.temperature ?? ''}>
                    {fmtTemperature(p?.temperature)}
                  </td>
                  {offline && (
                    <td data-testid="train-set-loss" data-value={p?.trainSetLoss ?? ''}>
                      {fmt(p?.trainSetLoss)}
                    </td>
                  )}
                  <td className="actions">
                    {p?.status === 'running' && !hideFork && (
                      <button
                        type="button"
                        className="fork-button"
                        ref={(el) => {
                          if (el) forkButtons.current.set(run.id, el);
                          else forkButtons.current.delete(run.id);
                        }}
                        aria-expanded={formOpen}
                        aria-label={`Fork ${run.id}`}
                        title={`Branch ${run.id} now into a new run with its own B and η`}
                        data-testid="fork"
                        onClick={() => setForking(formOpen ? null : run.id)}
                      >
                        Fork
                      </button>
                    )}
                  </td>
                </tr>
                {formOpen && (
                  <tr className="fork-form-row">
                    <td colSpan={columns} style={{ paddingLeft: 8 + (depth + 1) * 16 }}>
                      <ForkForm parent={run} progress={p} takenIds={takenIds} offlineTrainSize={offline ? regime.trainSize : null} onClose={() => closeFork(run.id)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
