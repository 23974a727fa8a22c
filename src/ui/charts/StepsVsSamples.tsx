/**
 * Steps versus samples to a target held-out loss across the experiment's batch sizes: S(B) and E(B) = S·B
 * on log-log axes with the fit S = S_min (1 + B_noise / B), the critical batch size B_crit = E_min / S_min
 * it gives, and beside it the gradient noise scale B_simple the runs measured where they reached the
 * target. Collapsible; nothing is computed while it is closed. The maths is in fit.ts.
 */
import { memo, useId, useMemo, useState } from 'react';
import { CartesianGrid, ComposedChart, ResponsiveContainer, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { noiseColors } from '../colors';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { useChartVersion } from './data';
import { defaultTarget, fittedSamples, fittedSteps, parseTarget, sweepSummary, type BatchResult, type NoiseFit } from './fit';
import { formatNumber } from './format';
import { logTicks } from './ticks';
import { MARGIN, Y_AXIS_WIDTH } from './layout';

const HEIGHT = 200;
const stepsOf = (b: BatchResult) => b.steps;
const samplesOf = (b: BatchResult) => b.samples;
const whole = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString());

export function StepsVsSamples() {
  const [open, setOpen] = useState(true);
  return (
    <details className="panel steps-samples" open={open} onToggle={(e) => setOpen(e.currentTarget.open)} data-testid="steps-samples">
      <summary>
        <h2>Steps vs samples to a target loss</h2>
        <span className="hint">S(B), E(B) = S·B and the critical batch size of the sweep</span>
      </summary>
      {open && <StepsVsSamplesBody />}
    </details>
  );
}

function StepsVsSamplesBody() {
  const [text, setText] = useState('');
  const version = useChartVersion();
  const runs = useExperiment((s) => s.spec.runs);
  const inputId = useId();

  const auto = useMemo(
    () => defaultTarget(runs, useRuns.getState().metrics),
    // `version` (the chart clock) changes whenever rows were appended in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version, runs],
  );
  const custom = text.trim() === '' ? null : parseTarget(text);
  const target = custom === null ? auto : custom.ok ? custom.value : null;
  const summary = useMemo(
    () => (target === null ? null : sweepSummary(runs, useRuns.getState().metrics, target)),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [version, runs, target],
  );
  const colors = useMemo(() => noiseColors(runs), [runs]);

  return (
    <div className="steps-samples-body">
      <p className="hint">
        For each batch size B (runs without forks or scheduled changes; runs sharing a B are averaged): the steps S and samples E = S·B until the held-out
        loss first reaches the target. McCandlish et al. (2018): S = S<sub>min</sub>(1 + B<sub>noise</sub>/B) and E = E<sub>min</sub>(1 + B/B<sub>noise</sub>), so B
        <sub>crit</sub> = E<sub>min</sub>/S<sub>min</sub> = B<sub>noise</sub>, which should be close to the measured noise scale B<sub>simple</sub>.
      </p>
      <div className={custom && !custom.ok ? 'field target-field invalid' : 'field target-field'}>
        <label htmlFor={inputId}>Target held-out loss</label>
        <div className="target-row">
          <input
            id={inputId}
            type="text"
            inputMode="decimal"
            value={text}
            placeholder={auto === null ? 'no evaluation yet' : `auto: ${auto}`}
            onChange={(e) => setText(e.target.value)}
            aria-invalid={custom !== null && !custom.ok}
            data-testid="target-loss"
          />
          <button type="button" onClick={() => setText('')} disabled={text === ''}>
            Auto
          </button>
          <span className="hint">{custom === null ? (auto === null ? 'waiting for the first evaluation' : `auto: ${auto}, the lowest level every run has reached`) : ''}</span>
        </div>
        {custom && !custom.ok && (
          <div className="field-error" role="alert" data-testid="target-error">
            {custom.message}
          </div>
        )}
      </div>
      {summary && <SweepResult summary={summary} colors={colors} />}
    </div>
  );
}

type SweepResultProps = { summary: ReturnType<typeof sweepSummary>; colors: Map<string, string> };

/** Redrawn only when the numbers change: once every run has reached the target, they mostly do not. */
const sameResult = (a: SweepResultProps, b: SweepResultProps) => a.colors === b.colors && JSON.stringify(a.summary) === JSON.stringify(b.summary);

const SweepResult = memo(function SweepResult({ summary, colors }: SweepResultProps) {
  const { batches, unreached, excluded, fit, bSimple } = summary;
  return (
    <>
      <div className="fit-numbers" data-testid="fit-result">
        {fit.ok ? (
          <>
            <div className="fit-number">
              <span className="fit-label">
                B<sub>crit</sub> = E<sub>min</sub>/S<sub>min</sub>
              </span>
              <strong data-testid="b-crit">{whole(fit.bCrit)}</strong>
              <span className="hint">
                S<sub>min</sub> ≈ {whole(fit.sMin)} steps, E<sub>min</sub> ≈ {whole(fit.eMin)} samples
              </span>
            </div>
          </>
        ) : (
          <div className="fit-message" data-testid="fit-message">
            No fit: {fit.reason}
          </div>
        )}
        <div className="fit-number">
          <span className="fit-label">
            measured B<sub>simple</sub> at the target
          </span>
          <strong data-testid="b-simple">{bSimple === null ? '–' : whole(bSimple)}</strong>
          <span className="hint">mean over the runs, where each reached it</span>
        </div>
      </div>
      {batches.length > 0 && (
        <div className="fit-charts">
          <FitChart title="Steps to target S(B)" testId="fit-steps" batches={batches} value={stepsOf} fit={fit} curve={fittedSteps} asymptote={fit.ok ? fit.sMin : null} />
          <FitChart
            title="Samples to target E(B) = S·B"
            testId="fit-samples"
            batches={batches}
            value={samplesOf}
            fit={fit}
            curve={fittedSamples}
            asymptote={fit.ok ? fit.eMin : null}
          />
        </div>
      )}
      <table className="target-table" data-testid="target-table">
        <thead>
          <tr>
            <th>B</th>
            <th>runs</th>
            <th>steps S</th>
            <th>samples E</th>
            <th>
              B<sub>simple</sub> there
            </th>
            {fit.ok && <th>fit S</th>}
          </tr>
        </thead>
        <tbody>
          {batches.map((b) => (
            <tr key={b.batchSize}>
              <td>{b.batchSize}</td>
              <td>
                {b.runs.map((id) => (
                  <span key={id} className="run-chip">
                    <span className="swatch" style={{ background: colors.get(id) }} /> {id}
                  </span>
                ))}
              </td>
              <td>{whole(b.steps)}</td>
              <td>{whole(b.samples)}</td>
              <td>{b.noiseScale === null ? '–' : whole(b.noiseScale)}</td>
              {fit.ok && <td>{whole(fittedSteps(fit, b.batchSize))}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {batches.length === 0 && <p className="hint">No run has reached {formatNumber(summary.target)} yet.</p>}
      {unreached.length > 0 && (
        <p className="hint" data-testid="target-unreached">
          Not reached yet:{' '}
          {unreached.map((u, i) => (
            <span key={u.id}>
              {i > 0 && ', '}
              {u.id} (B = {u.batchSize}, {u.best === null ? 'not evaluated yet' : `best ${formatNumber(u.best)}`})
            </span>
          ))}
        </p>
      )}
      {excluded.length > 0 && <p className="hint">Left out (forks and scheduled changes have no single batch size): {excluded.join(', ')}.</p>}
      {summary.mixedLearningRates && <p className="hint">These runs differ in learning rate too: each S(B) averages over the learning rates at that B.</p>}
    </>
  );
}, sameResult);

interface FitChartProps {
  title: string;
  testId: string;
  batches: BatchResult[];
  value: (b: BatchResult) => number;
  fit: NoiseFit;
  curve: (fit: { sMin: number; bNoise: number }, batchSize: number) => number;
  asymptote: number | null;
}

/** Measured points and the fitted curve, log-log, drawn as plain SVG on recharts' axes. */
function FitChart({ title, testId, batches, value, fit, curve, asymptote }: FitChartProps) {
  const { points, line, xDomain, yDomain } = useMemo(() => {
    const points = batches.map((b) => ({ x: b.batchSize, y: value(b) }));
    const bs = points.map((p) => p.x);
    const xDomain: [number, number] = [Math.min(...bs) / 1.6, Math.max(...bs) * 1.6];
    if (fit.ok) xDomain[0] = Math.min(xDomain[0], fit.bCrit / 1.6);
    if (fit.ok) xDomain[1] = Math.max(xDomain[1], fit.bCrit * 1.6);
    const line = fit.ok
      ? Array.from({ length: 64 }, (_, i) => {
          const x = Math.exp(Math.log(xDomain[0]) + (i / 63) * (Math.log(xDomain[1]) - Math.log(xDomain[0])));
          return { x, y: curve(fit, x) };
        })
      : [];
    const ys = [...points, ...line].map((p) => p.y).filter((y) => y > 0 && Number.isFinite(y));
    const yDomain: [number, number] = [Math.min(...ys) / 1.3, Math.max(...ys) * 1.3];
    return { points, line, xDomain, yDomain };
  }, [batches, value, fit, curve]);

  const xTicks = batches.length <= 8 ? batches.map((b) => b.batchSize) : logTicks(...xDomain);
  return (
    <section className="chart fit-chart" aria-label={title} data-testid={testId}>
      <h3>{title}</h3>
      <ResponsiveContainer width="100%" height={HEIGHT}>
        <ComposedChart margin={MARGIN}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis type="number" dataKey="x" scale="log" domain={xDomain} ticks={xTicks} allowDataOverflow tickFormatter={formatNumber} fontSize={11} />
          <YAxis type="number" width={Y_AXIS_WIDTH} scale="log" domain={yDomain} ticks={logTicks(...yDomain)} allowDataOverflow tickFormatter={formatNumber} fontSize={11} />
          <FitLayer points={points} line={line} asymptote={asymptote} bCrit={fit.ok ? fit.bCrit : null} />
        </ComposedChart>
      </ResponsiveContainer>
      <div className="chart-caption">
        x: batch size B, log · dots: measured{fit.ok ? ' · line: fit · dotted: the asymptote and B_crit' : ''}
      </div>
    </section>
  );
}

function FitLayer({ points, line, asymptote, bCrit }: { points: Array<{ x: number; y: number }>; line: Array<{ x: number; y: number }>; asymptote: number | null; bCrit: number | null }) {
  const sx = useXAxisScale();
  const sy = useYAxisScale();
  const area = usePlotArea();
  const clipId = useId();
  if (!sx || !sy || !area) return null;
  let d = '';
  for (const p of line) {
    const x = sx(p.x);
    const y = sy(p.y);
    if (x === undefined || y === undefined || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    d += `${d ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  const ay = asymptote === null ? undefined : sy(asymptote);
  const cx = bCrit === null ? undefined : sx(bCrit);
  return (
    <g clipPath={`url(#${CSS.escape(clipId)})`}>
      <clipPath id={clipId}>
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {ay !== undefined && Number.isFinite(ay) && <line x1={area.x} x2={area.x + area.width} y1={ay} y2={ay} stroke="#9ca3af" strokeDasharray="2 3" />}
      {cx !== undefined && Number.isFinite(cx) && (
        <>
          <line x1={cx} x2={cx} y1={area.y} y2={area.y + area.height} stroke="#9ca3af" strokeDasharray="2 3" />
          <text x={cx + 4} y={area.y + 12} fontSize={11} fill="#6b7280">
            B_crit
          </text>
        </>
      )}
      {d && <path d={d} fill="none" stroke="#2563eb" strokeWidth={1.6} />}
      {points.map((p) => {
        const x = sx(p.x);
        const y = sy(p.y);
        return x === undefined || y === undefined ? null : <circle key={p.x} cx={x} cy={y} r={4} fill="#111827" />;
      })}
    </g>
  );
}
