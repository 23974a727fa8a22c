/**
 * The lab's signature view (SCIENCE.md, protocol 3): two runs of different noise at the same held-out loss,
 * how far apart their functions are, and how far apart two runs that differ only in seed are at that level.
 */
import { useMemo } from 'react';
import { compare, distanceByLevel, findTwin, type Comparison, type CompareInputs } from '../../engine/compare';
import { ladderBytes } from '../../engine/ladder';
import type { ProbeInfo } from '../../engine/trainer';
import type { ComparisonSpec, ExperimentSpec } from '../../spec/schema';
import { addSeedTwin, removeComparison } from '../actions';
import { formatNumber } from '../charts/format';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { setView, useView } from '../stores/view';
import { ComparisonForm } from './ComparisonForm';
import { DistanceByLevel } from './DistanceByLevel';
import { DecisionMaps, Disagreements, ProbabilityScatter } from './FunctionViews';
import './compare.css';

const levelLabel = (c: ComparisonSpec) => (c.level === 'lowest' ? 'lowest shared level' : `loss ${formatNumber(c.level)}`);

function formatBytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Numbers({ spec, c, comparison, measure }: { spec: ExperimentSpec; c: ComparisonSpec; comparison: Comparison; measure: string }) {
  const { distance, baseline, baselineNote, level, a, b, intervals } = comparison;
  const interval = (i: [number, number]) => ` [${formatNumber(i[0])}, ${formatNumber(i[1])}]`;
  const main = distance.kind === 'classification' ? distance.tv : distance.relRms;
  const base = baseline && (baseline.distance.kind === 'classification' ? baseline.distance.tv : baseline.distance.relRms);
  const canAddTwin = !baseline && !findTwin(spec, c.a) && !findTwin(spec, c.b) && !spec.runs.find((r) => r.id === c.a)?.fork;
  return (
    <div className="compare-numbers">
      <div className="compare-headline">
        <span className="compare-measure">{measure}</span>
        <strong data-testid="compare-distance">{formatNumber(main)}</strong>
        <span className="compare-interval" data-testid="compare-interval" title="95 % bootstrap interval over probe examples">
          {interval(intervals.distance)}
        </span>
        <span className="compare-level">at held-out loss ≤ {formatNumber(level)}</span>
      </div>
      <div className="compare-baseline" data-testid="compare-baseline">
        {baseline && base !== null ? (
          <>
            seed baseline ({baseline.of} vs {baseline.twin}): <strong>{formatNumber(base)}</strong>
            {intervals.baseline && interval(intervals.baseline)}
            {base > 0 && (
              <span className="compare-ratio" data-testid="compare-ratio">
                {' '}
                — the pair is {formatNumber(main / base)}× the seed distance{intervals.ratio && <> (95 %{interval(intervals.ratio)})</>}
              </span>
            )}
          </>
        ) : (
          <>
            {baselineNote}{' '}
            {canAddTwin && (
              <button type="button" onClick={() => addSeedTwin(c.a)}>
                Add a seed twin of {c.a}
              </button>
            )}
          </>
        )}
      </div>
      {distance.kind === 'classification' && (
        <dl className="compare-secondary">
          <dt>disagreement</dt>
          <dd data-testid="compare-disagreement">{formatNumber(distance.disagreement)}</dd>
          <dt>symmetric KL</dt>
          <dd data-testid="compare-kl">{formatNumber(distance.kl)}</dd>
        </dl>
      )}
      <table className="compare-reach">
        <thead>
          <tr>
            <th>run</th>
            <th>reached at step</th>
            <th>samples</th>
            <th>held-out loss</th>
          </tr>
        </thead>
        <tbody>
          {[
            ['A', c.a, a],
            ['B', c.b, b],
          ].map(([side, id, p]) => {
            const point = p as Comparison['a'];
            return (
              <tr key={side as string}>
                <td>
                  {side as string}: {id as string}
                </td>
                <td>{point.step.toLocaleString('en-US')}</td>
                <td>{point.samples.toLocaleString('en-US')}</td>
                <td>{formatNumber(point.evalLoss)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function Result({ spec, c, inputs, probe }: { spec: ExperimentSpec; c: ComparisonSpec; inputs: CompareInputs; probe: ProbeInfo }) {
  const result = useMemo(() => compare(c, inputs), [c, inputs]);
  const series = useMemo(() => distanceByLevel(c, inputs), [c, inputs]);
  if (!result.ok) {
    return (
      <p className="compare-waiting" role="status" data-testid="compare-message">
        {result.error}
      </p>
    );
  }
  const { comparison } = result;
  const measure = comparison.distance.kind === 'classification' ? 'total variation' : 'RMS difference / target RMS';
  const labels: [string, string] = [c.a, c.b];
  const baselineLabel = comparison.baseline ? `${comparison.baseline.of} vs ${comparison.baseline.twin} (seed)` : series.some((s) => s.baseline !== null) ? 'seed baseline' : null;
  return (
    <div className="compare-result" data-testid="compare-result">
      <Numbers spec={spec} c={c} comparison={comparison} measure={measure} />
      <DistanceByLevel series={series} measure={measure} pairLabel={`${c.a} vs ${c.b}`} baselineLabel={baselineLabel} />
      <div className="compare-views">
        {probe.grid && <DecisionMaps a={comparison.a} b={comparison.b} labels={labels} k={probe.shape.classes} />}
        {comparison.distance.kind === 'classification' && probe.labels && <ProbabilityScatter a={comparison.a} b={comparison.b} probe={probe} labels={labels} />}
      </div>
      <Disagreements a={comparison.a} b={comparison.b} probe={probe} distance={comparison.distance} />
    </div>
  );
}

export function CompareView() {
  const spec = useExperiment((s) => s.spec);
  const ladders = useRuns((s) => s.ladders);
  const probe = useRuns((s) => s.probe);
  const selected = useView((s) => s.comparison);
  const comparisons = spec.comparisons;
  const index = Math.min(selected, comparisons.length - 1);
  const inputs = useMemo<CompareInputs | null>(
    () => probe && { spec, ladders: new Map(Object.entries(ladders)), shape: probe.shape, targetRms: probe.targetRms ?? undefined },
    [spec, ladders, probe],
  );
  const points = Object.values(ladders).flat();
  return (
    <section className="compare" data-testid="compare" aria-labelledby="compare-title">
      <h2 id="compare-title">Equal-loss comparison</h2>
      <p className="compare-intro">
        Do runs with different noise reach the same held-out loss with the same function? Pick two runs; the lab compares their outputs on the probe set at the first evaluation where each reached the same loss level, beside two runs
        that differ only in seed.
      </p>
      <ComparisonForm spec={spec} probe={probe} />
      {comparisons.length > 0 && (
        <div className="compare-tabs" role="tablist" aria-label="Comparisons">
          {comparisons.map((c, i) => (
            <span key={`${c.a}-${c.b}-${c.level}`} className={`compare-tab${i === index ? ' active' : ''}`}>
              <button type="button" role="tab" aria-selected={i === index} onClick={() => setView({ comparison: i })}>
                {c.a} vs {c.b}, {levelLabel(c)}
              </button>
              <button type="button" className="icon" aria-label={`Remove comparison ${c.a} vs ${c.b}`} onClick={() => removeComparison(i)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
      {index >= 0 && inputs && probe && <Result spec={spec} c={comparisons[index]} inputs={inputs} probe={probe} />}
      <p className="chart-caption" data-testid="ladder-memory">
        Loss ladder: {probe?.levels.length ?? 0} levels, {points.length} points recorded across {Object.keys(ladders).length} runs, {formatBytes(ladderBytes(points))} of outputs ({probe?.examples ?? 0} probe examples each).
      </p>
    </section>
  );
}
