/**
 * A live loss chart: every run's curve (smoothed over a faint raw one), the Bayes floor when known, and a
 * hover readout of every run's value at the cursor, sorted by value.
 */
import { memo, useId, useMemo, useRef, useState, type MouseEvent } from 'react';
import { CartesianGrid, ComposedChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { X_AXIS_LABELS } from '../../spec/view';
import { runColor } from '../colors';
import { useExperiment } from '../stores/experiment';
import { useRuns } from '../stores/runs';
import { useView } from '../stores/view';
import { bandKey, bandPath, bucketRows, extent, linePath, linearTicks, logTicks, runPoints, valuesNear, type ChartRow, type Metric } from './series';

const BUCKETS = 200;
const MARGIN = { top: 10, right: 20, bottom: 4, left: 4 };
const Y_AXIS_WIDTH = 58;

function formatNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
}

interface Curve {
  id: string;
  color: string;
  /** Whether the curve is smoothed and has a band of raw values under it. */
  band: boolean;
}

interface Bounds {
  x: [number, number];
  y: [number, number];
}

interface PlotProps {
  rows: ChartRow[];
  curves: Curve[];
  bounds: Bounds;
  lossFloor: number | null;
  logX: boolean;
  logY: boolean;
  height: number;
}

/**
 * The curves, drawn as one SVG path each with recharts' own scales. recharts' <Line>/<Area> keep per-point
 * React state and re-register their data through its store on every update: with 16 runs at 10 updates a
 * second that kept the main thread ~100% busy (measured with `npm run bench` and a CPU profile).
 */
function Curves({ rows, curves }: { rows: ChartRow[]; curves: Curve[] }) {
  const sx = useXAxisScale();
  const sy = useYAxisScale();
  const area = usePlotArea();
  const clipId = useId();
  if (!sx || !sy || !area) return null;
  return (
    <g clipPath={`url(#${CSS.escape(clipId)})`}>
      <clipPath id={clipId}>
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {curves.map((c) => (c.band ? <path key={bandKey(c.id)} d={bandPath(rows, bandKey(c.id), sx, sy)} fill={c.color} fillOpacity={0.16} stroke="none" /> : null))}
      {curves.map((c) => (
        <path key={c.id} d={linePath(rows, c.id, sx, sy)} fill="none" stroke={c.color} strokeWidth={1.8} strokeLinejoin="round" data-run={c.id} />
      ))}
    </g>
  );
}

/** The chart itself, memoised: moving the cursor re-renders only the overlay, never the SVG. */
const Plot = memo(function Plot({ rows, curves, bounds, lossFloor, logX, logY, height }: PlotProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ComposedChart margin={MARGIN}>
        <CartesianGrid stroke="#e5e7eb" />
        <XAxis
          type="number"
          dataKey="x"
          scale={logX ? 'log' : 'linear'}
          domain={bounds.x}
          ticks={logX ? logTicks(...bounds.x) : linearTicks(...bounds.x)}
          allowDataOverflow
          tickFormatter={formatNumber}
          fontSize={11}
        />
        <YAxis
          type="number"
          width={Y_AXIS_WIDTH}
          scale={logY ? 'log' : 'linear'}
          domain={bounds.y}
          ticks={logY ? logTicks(...bounds.y) : linearTicks(...bounds.y, 5)}
          allowDataOverflow
          tickFormatter={formatNumber}
          fontSize={11}
        />
        {lossFloor !== null && <ReferenceLine y={lossFloor} stroke="#6b7280" strokeDasharray="5 4" ifOverflow="extendDomain" />}
        <Curves rows={rows} curves={curves} />
      </ComposedChart>
    </ResponsiveContainer>
  );
});

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
  const [hover, setHover] = useState<{ x: number; px: number } | null>(null);
  const wrapper = useRef<HTMLDivElement>(null);

  const { rows, curves, e } = useMemo(() => {
    const metrics = useRuns.getState().metrics;
    const opts = { axis: view.xAxis, logX: view.logX, logY: view.logY, smoothing: view.smoothing, buckets: BUCKETS };
    const points = runs.map((run) => runPoints(run.id, metrics[run.id] ?? [], metric, opts));
    return {
      rows: bucketRows(points, BUCKETS, view.logX),
      curves: points.map((p, index): Curve => ({ id: p.id, color: runColor(index), band: p.smooth !== null })),
      e: extent(points.map((p) => p.raw)),
    };
    // `version` changes whenever rows are appended in place.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, runs, metric, view.xAxis, view.logX, view.logY, view.smoothing]);

  const bounds = useMemo<Bounds | null>(() => {
    if (!e) return null;
    let [y0, y1] = e.y;
    if (lossFloor !== null && (!view.logY || lossFloor > 0)) y0 = Math.min(y0, lossFloor);
    if (view.logY) [y0, y1] = [y0 / 1.1, y1 * 1.1];
    else [y0, y1] = [Math.max(0, y0 - 0.05 * (y1 - y0)), y1 + 0.05 * (y1 - y0)];
    // A linear x-axis starts at 0 so its ticks land on round numbers.
    return { x: view.logX ? e.x : [Math.min(0, e.x[0]), e.x[1]], y: [y0, y1] };
  }, [e, lossFloor, view.logX, view.logY]);

  function onMove(event: MouseEvent<HTMLDivElement>) {
    const el = wrapper.current;
    if (!el || !bounds) return;
    const rect = el.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const left = MARGIN.left + Y_AXIS_WIDTH;
    const frac = (px - left) / (rect.width - left - MARGIN.right);
    if (frac < 0 || frac > 1) return setHover(null);
    const [x0, x1] = bounds.x;
    const x = view.logX ? Math.exp(Math.log(x0) + frac * (Math.log(x1) - Math.log(x0))) : x0 + frac * (x1 - x0);
    setHover({ x, px });
  }

  const colors = new Map(curves.map((c) => [c.id, c.color]));
  const readout = hover ? valuesNear(rows, curves.map((c) => c.id), hover.x).sort((a, b) => b.y - a.y) : [];

  return (
    <section className="chart" aria-label={title} data-testid={`chart-${metric}`}>
      <h3>{title}</h3>
      <div ref={wrapper} className="chart-body" onMouseMove={onMove} onMouseLeave={() => setHover(null)}>
        {bounds ? (
          <Plot rows={rows} curves={curves} bounds={bounds} lossFloor={lossFloor} logX={view.logX} logY={view.logY} height={height} />
        ) : (
          <div className="chart-empty" style={{ height }}>
            Waiting for the first steps…
          </div>
        )}
        {hover && readout.length > 0 && (
          <>
            <div className="chart-cursor" style={{ left: hover.px, height }} />
            <div className="chart-readout" role="status">
              <div className="readout-x">
                {X_AXIS_LABELS[view.xAxis]} ≈ {formatNumber(hover.x)}
              </div>
              {readout.map((r) => (
                <div key={r.id}>
                  <span className="swatch" style={{ background: colors.get(r.id) }} /> {r.id}: {formatNumber(r.y)}
                </div>
              ))}
            </div>
          </>
        )}
      </div>
      <div className="chart-caption">
        x: {X_AXIS_LABELS[view.xAxis]}
        {lossFloor !== null && <> · dashed: Bayes loss {formatNumber(lossFloor)}</>}
      </div>
    </section>
  );
}
