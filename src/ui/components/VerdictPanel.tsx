/**
 * A verdict per claim, live: tests the claims the experiment on screen is built to show (engine/verdicts.ts)
 * on its runs as they train, and says in words whether each holds so far and how strongly. The same
 * verdicts are in the headless runner's results (`verdicts`).
 */
import { useMemo } from 'react';
import { compare, comparisonFacts } from '../../engine/compare';
import { verdicts, type Verdict } from '../../engine/verdicts';
import { useChartVersion } from '../charts/data';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';

const MARK: Record<Verdict['status'], string> = { holds: '✓', mostly: '≈', fails: '✗', pending: '…', contrast: '◐' };

export function VerdictPanel() {
  const spec = useExperiment((s) => s.spec);
  const ladders = useRuns((s) => s.ladders);
  const probe = useRuns((s) => s.probe);
  // Recomputed on the charts' clock, not on every metrics message.
  const version = useChartVersion();
  const facts = useMemo(() => {
    if (!probe) return [];
    const inputs = { spec, ladders: new Map(Object.entries(ladders)), shape: probe.shape, targetRms: probe.targetRms ?? undefined };
    return spec.comparisons.flatMap((c) => {
      const result = compare(c, inputs);
      return result.ok ? [comparisonFacts(c, result.comparison)] : [];
    });
  }, [spec, ladders, probe]);
  const list = useMemo(
    () => verdicts(spec, new Map(Object.entries(useRuns.getState().metrics)), facts),
    // `version` says when the metrics (read from the store) are to be read anew.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [spec, facts, version],
  );
  if (!list.length) return null;
  return (
    <section className="verdicts" aria-label="Verdicts" data-testid="verdicts">
      <h2>Does the claim hold so far?</h2>
      <ul>
        {list.map((v, i) => (
          <li key={i} className={`verdict verdict-${v.status}`} data-testid={`verdict-${v.claim}`} data-status={v.status}>
            <span className="verdict-mark" aria-hidden>
              {MARK[v.status]}
            </span>{' '}
            {v.text}
          </li>
        ))}
      </ul>
    </section>
  );
}
