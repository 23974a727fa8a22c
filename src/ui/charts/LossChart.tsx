/**
 * A live loss chart: every run's curve (smoothed over a faint raw one), the Bayes floor when known, and a
 * hover readout of every run's value at the cursor, sorted by value.
 */
import { useMemo, useRef, useState, type MouseEvent } from 'react';
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis } from 'recharts';
import { X_AXIS_LABELS } from '../../spec/view';
import { runColor } from '../colors';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { useView } from '../stores/view';
import { buildSeries, extent, linearTicks, logTicks, nearestPoint, type Metric, type Series } from './series';

const BUCKETS = 240;
const MARGIN = { top: 10, right: 20, bottom: 4, left: 4 };
const Y_AXIS_WIDTH = 58;

function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

interface Props {
  metric: Metric;
  title: string;
  height?: number;
}

export function LossChart({ metric, title, height = 260 }: Props) {
  const view = useView();
  const version = useRuns((s) => s.version);
  const lossFloor = useRuns((s) => s.lossFloor);
  const runs = useExperiment((s) => s.spec.runs);
  const [hoverX, setHoverX] = useState<number | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const series = useMemo(() => {
    const metrics = useRuns.getState().metrics;
    const opts = { axis: view.xAxis, logX: view.logX, logY: view.logY, smoothing: view.smoothing, buckets: BUCKETS };
    return runs.map((run, index) => ({
      id: run.id,
      color: runColor(index),
      ...buildSeries(metrics[run.id] ?? [], metric, opts),
    }));
    // `version` changes whenever rows are appended in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, runs, metric, view.xAxis, view.logX, view.logY, view.smoothing]);

  const bounds = useMemo(() => {
    const e = extent(series.map((s: Series) => s.raw));
    if (!e) return null;
    let [y0, y1] = e.y;
    if (lossFloor !== null && (!view.logY || lossFloor > 0)) y0 = Math.min(y0, lossFloor);
    if (view.logY) [y0, y1] = [y0 / 1.1, y1 * 1.1];
    else [y0, y1] = [Math.max(0, y0 - 0.05 * (y1 - y0)), y1 + 0.05 * (y1 - y0)];
    const x: [number, number] = view.logX ? e.x : [Math.min(0, e.x[0]), e.x[1]];
    return { x, y: [y0, y1] as [number, number] };
  }, [series, lossFloor, view.logX, view.logY]);

  function onMove(event: MouseEvent<HTMLDivElement>) {
    const el = wrapper.current;
    if (!el || !bounds) return;
    const rect = el.getBoundingClientRect();
    const left = MARGIN.left + Y_AXIS_WIDTH;
    const frac = (event.clientX - rect.left - left) / (rect.width - left - MARGIN.right);
    if (frac < 0 || frac > 1) return setHoverX(null);
    const [x0, x1] = bounds.x;
    setHoverX(view.logX ? Math.exp(Math.log(x0) + frac * (Math.log(x1) - Math.log(x0))) : x0 + frac * (x1 - x0));
  }

  const readout =
    hoverX === null
      ? []
      : series
          .map((s) => ({ id: s.id, color: s.color, point: nearestPoint(s.smooth, hoverX) }))
          .filter((r) => r.point !== null)
          .sort((a, b) => b.point!.y - a.point!.y);

  return (
    <section className="chart" aria-label={title} data-testid={`chart-${metric}`}>
      <h3>{title}</h3>
      <div ref={wrapper} className="chart-body" onMouseMove={onMove} onMouseLeave={() => setHoverX(null)}>
        {bounds ? (
          <ResponsiveContainer width="100%" height={height}>
            <LineChart margin={MARGIN}>
              <CartesianGrid stroke="#e5e7eb" />
              <XAxis
                type="number"
                dataKey="x"
                scale={view.logX ? 'log' : 'linear'}
                domain={bounds.x}
                ticks={view.logX ? logTicks(...bounds.x) : linearTicks(...bounds.x)}
                allowDataOverflow
                tickFormatter={formatNumber}
                fontSize={11}
              />
              <YAxis
                type="number"
                dataKey="y"
                width={Y_AXIS_WIDTH}
                scale={view.logY ? 'log' : 'linear'}
                domain={bounds.y}
                ticks={view.logY ? logTicks(...bounds.y) : linearTicks(...bounds.y, 5)}
                allowDataOverflow
                tickFormatter={formatNumber}
                fontSize={11}
              />
              {lossFloor !== null && (
                <ReferenceLine y={lossFloor} stroke="#6b7280" strokeDasharray="5 4" ifOverflow="extendDomain" />
              )}
              {series.map((s) =>
                s.smooth !== s.raw ? (
                  <Line key={`${s.id}-raw`} data={s.raw} dataKey="y" stroke={s.color} strokeOpacity={0.22} dot={false} isAnimationActive={false} strokeWidth={1} />
                ) : null,
              )}
              {series.map((s) => (
                <Line key={s.id} data={s.smooth} dataKey="y" name={s.id} stroke={s.color} dot={false} isAnimationActive={false} strokeWidth={1.8} />
              ))}
              {hoverX !== null && <ReferenceLine x={hoverX} stroke="#9ca3af" />}
            </LineChart>
          </ResponsiveContainer>
        ) : (
          <div className="chart-empty" style={{ height }}>
            Waiting for the first steps…
          </div>
        )}
        {readout.length > 0 && (
          <div className="chart-readout" role="status">
            <div className="readout-x">
              {X_AXIS_LABELS[view.xAxis]} ≈ {formatNumber(hoverX!)}
            </div>
            {readout.map((r) => (
              <div key={r.id}>
                <span className="swatch" style={{ background: r.color }} /> {r.id}: {formatNumber(r.point!.y)}
              </div>
            ))}
          </div>
        )}
      </div>
      <div className="chart-caption">
        x: {X_AXIS_LABELS[view.xAxis]}
        {lossFloor !== null && <> · dashed: Bayes loss {formatNumber(lossFloor)}</>}
      </div>
    </section>
  );
}
