/**
 * A live chart of one metric for every run: each curve one SVG path (smoothed over a faint band of the raw
 * values for noisy per-step metrics), optionally a dashed companion curve per run (offline: the training-set
 * loss beside the held-out loss), a reference floor, epoch marks, and a readout of every curve's value at
 * the cursor (hover, or a tap on a touch screen), sorted by value, one line "<key>: <value>" each.
 */
import { memo, useId, useMemo, useRef, useState, type PointerEvent, type ReactNode } from 'react';
import { CartesianGrid, ComposedChart, ReferenceLine, ResponsiveContainer, XAxis, YAxis, usePlotArea, useXAxisScale, useYAxisScale } from 'recharts';
import { X_AXIS_LABELS } from '../../spec/view';
import { ChartExportButtons } from '../export/ChartExportButtons';
import { curveColors } from '../colors';
import { useExperiment } from '../stores/experiment';
import { useView } from '../stores/view';
import { chartCurves, type Curve } from './curves';
import { chartInputs, useChartVersion } from './data';
import { epochMarks } from './epochs';
import { formatNumber, ordinal } from './format';
import { ESTIMATING } from '../noiseReading';
import { bandNear, curveEnds, flaggedNear, valuesNear, type Grid } from './grid';
import { MARGIN, Y_AXIS_WIDTH } from './layout';
import { bandPath, linePath, pixelsX } from './paths';
import { pointsExtent, PointsCache, type Metric } from './points';
import { linearTicks, logTicks } from './ticks';

/** x-buckets of the shared grid: about one per 2 px of a large chart's plot, fewer for the small ones. */
const bucketsFor = (height: number) => (height < 200 ? 100 : 200);

interface Mark {
  x: number;
  color: string;
}

interface Bounds {
  x: [number, number];
  y: [number, number];
}

interface PlotProps {
  grid: Grid;
  curves: Curve[];
  marks: Mark[];
  bounds: Bounds;
  floor: number | null;
  logX: boolean;
  logY: boolean;
  height: number;
}

/**
 * The curves, drawn as one SVG path each with recharts' own scales. recharts' <Line>/<Area> keep per-point
 * React state and re-register their data through its store on every update: with 16 runs at 10 updates a
 * second that kept the main thread ~100% busy (measured with `npm run bench` and a CPU profile).
 */
function Curves({ grid, curves, marks, xMax }: { grid: Grid; curves: Curve[]; marks: Mark[]; xMax: number }) {
  const sx = useXAxisScale();
  const sy = useYAxisScale();
  const area = usePlotArea();
  const clipId = useId();
  if (!sx || !sy || !area) return null;
  const xs = pixelsX(grid, sx);
  return (
    // data-x-max: the furthest x drawn (with data-first/-last on each curve, what tests read of a chart).
    <g clipPath={`url(#${CSS.escape(clipId)})`} data-x-max={xMax}>
      <clipPath id={clipId}>
        <rect x={area.x} y={area.y} width={area.width} height={area.height} />
      </clipPath>
      {marks.map((m, i) => {
        const x = sx(m.x);
        return x === undefined || !Number.isFinite(x) ? null : (
          <line key={i} className="epoch-mark" x1={x} x2={x} y1={area.y} y2={area.y + area.height} stroke={m.color} strokeOpacity={0.3} strokeDasharray="1 3" />
        );
      })}
      {curves.map((c) =>
        c.band ? <path key={`band:${c.key}`} d={bandPath(xs, grid.bands.get(c.key), sy)} fill={c.color} fillOpacity={c.group ? 0.24 : 0.16} stroke="none" data-band={c.key} /> : null,
      )}
      {curves.map((c) => {
        const ends = curveEnds(grid, c.key);
        return (
          <path
            key={c.key}
            d={linePath(xs, grid.values.get(c.key), sy, grid.unresolved.get(c.key))}
            fill="none"
            stroke={c.color}
            strokeWidth={c.group ? 2.4 : c.dashed ? 1.5 : 1.8}
            strokeOpacity={c.faint ? 0.3 : undefined}
            strokeDasharray={c.dashed ? '5 3' : undefined}
            strokeLinejoin="round"
            {...(c.group ? { 'data-group': c.key } : { 'data-run': c.key })}
            data-first={ends?.first}
            data-last={ends?.last}
          />
        );
      })}
      {curves.map((c) => (c.unresolved ? <UnresolvedMarks key={`unresolved:${c.key}`} xs={xs} flags={grid.unresolved.get(c.key)} id={c.key} color={c.color} y={area.y} /> : null))}
    </g>
  );
}

/**
 * Where a run's B_simple is not resolved (B_simple ≫ B), a short dash along the top of the plot in its
 * colour: the curve has a gap there, and the dash says why.
 */
function UnresolvedMarks({ xs, flags, id, color, y }: { xs: Float64Array; flags: Uint8Array | undefined; id: string; color: string; y: number }) {
  let d = '';
  xs.forEach((x, i) => {
    if (flags?.[i] === 1 && Number.isFinite(x)) d += `M${x.toFixed(1)},${y + 2}v6`;
  });
  return d ? <path d={d} stroke={color} strokeWidth={3} data-unresolved={id} /> : null;
}

/** The chart itself, memoised: moving the cursor re-renders only the overlay, never the SVG. */
const Plot = memo(function Plot({ grid, curves, marks, bounds, floor, logX, logY, height }: PlotProps) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <ComposedChart margin={MARGIN}>
        <CartesianGrid stroke="#e5e7eb" />
        <XAxis
          type="number"
          dataKey="x"
          scale={logX ? 'log' : 'linear'}
          domain={bounds.x}
          ticks={logX ? logTicks(...bounds.x) : linearTicks(...bounds.x, height < 200 ? 4 : 6)}
          allowDataOverflow
          tickFormatter={formatNumber}
          fontSize={11}
        />
        <YAxis
          type="number"
          width={Y_AXIS_WIDTH}
          scale={logY ? 'log' : 'linear'}
          domain={bounds.y}
          ticks={logY ? logTicks(...bounds.y) : linearTicks(...bounds.y, height < 200 ? 3 : 5)}
          allowDataOverflow
          tickFormatter={formatNumber}
          fontSize={11}
        />
        {floor !== null && <ReferenceLine y={floor} stroke="#6b7280" strokeDasharray="5 4" ifOverflow="extendDomain" />}
        <Curves grid={grid} curves={curves} marks={marks} xMax={bounds.x[1]} />
      </ComposedChart>
    </ResponsiveContainer>
  );
});

const bandText = (band: [number, number] | null) => (band ? ` [${formatNumber(band[0])}, ${formatNumber(band[1])}]` : '');

export interface MetricChartProps {
  /** data-testid is `chart-<name>`. */
  name: string;
  /** For the screen reader: the title as plain text. */
  label: string;
  title: ReactNode;
  metric: Metric;
  /** A second curve per run, dashed in the run's colour, named "<runId> (<label>)" in the readout. */
  companion?: { metric: Metric; label: string };
  logY: boolean;
  /** A dashed horizontal reference (the Bayes loss), or null. */
  floor?: number | null;
  /** Offline: the training set's size, to mark where epochs end. */
  epochSize?: number | null;
  height?: number;
  /** Shown after "x: <axis>" under the chart. */
  caption?: ReactNode;
  /** Shown instead of the chart while there is nothing to draw. */
  emptyText?: string;
}

export const MetricChart = memo(function MetricChart({
  name,
  label,
  title,
  metric,
  companion,
  logY,
  floor = null,
  epochSize = null,
  height = 260,
  caption,
  emptyText = 'Waiting for the first steps…',
}: MetricChartProps) {
  const xAxis = useView((s) => s.xAxis);
  const logX = useView((s) => s.logX);
  const smoothing = useView((s) => s.smoothing);
  const groupMode = useView((s) => s.groups);
  const members = useView((s) => s.members);
  const version = useChartVersion();
  const runs = useExperiment((s) => s.spec.runs);
  const [hover, setHover] = useState<{ x: number; px: number } | null>(null);
  // Each curve's points, extended by the rows appended since the last redraw instead of recomputed.
  const [cache] = useState(() => new PointsCache());
  const wrapper = useRef<HTMLDivElement>(null);
  const companionMetric = companion?.metric;
  const companionLabel = companion?.label;

  const { grid, curves, marks, e, every, estimatingOnly } = useMemo(() => {
    const histories = chartInputs(runs);
    const colors = curveColors(runs, histories.map((h) => h.id));
    const opts = { axis: xAxis, logX, logY, smoothing, buckets: bucketsFor(height) };
    const companion = companionMetric ? { metric: companionMetric, label: companionLabel! } : undefined;
    const { grid, curves, points } = chartCurves({ runs, histories, metric, companion, opts, colors, groups: groupMode === 'off' ? null : groupMode, members }, cache);
    const epochs = epochSize ? epochMarks(histories, epochSize, xAxis) : null;
    return {
      grid,
      curves,
      marks: (epochs?.marks ?? []).map((m): Mark => ({ x: m.x, color: m.run === null ? '#6b7280' : (colors.get(m.run) ?? '#6b7280') })),
      every: epochs?.every ?? 1,
      e: pointsExtent(points),
      // Nothing to draw yet but B_simple's first measurements, still without their interval.
      estimatingOnly: points.every((p) => !p.x.length) && points.some((p) => p.estimating?.length),
    };
    // `version` (this chart's clock) says when the metrics, read in chartInputs, are to be drawn anew.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, runs, metric, companionMetric, companionLabel, epochSize, height, xAxis, logX, logY, smoothing, groupMode, members]);

  const bounds = useMemo<Bounds | null>(() => {
    if (!e) return null;
    let [y0, y1] = e.y;
    if (floor !== null && (!logY || floor > 0)) [y0, y1] = [Math.min(y0, floor), Math.max(y1, floor)];
    if (logY) [y0, y1] = [y0 / 1.1, y1 * 1.1];
    else {
      // A flat curve (a constant temperature) still needs a range to sit in.
      const pad = y1 > y0 ? 0.05 * (y1 - y0) : 0.1 * Math.abs(y0) || 1;
      [y0, y1] = [y0 >= 0 ? Math.max(0, y0 - pad) : y0 - pad, y1 + pad];
    }
    // A linear x-axis starts at 0 so its ticks land on round numbers.
    return { x: logX ? e.x : [Math.min(0, e.x[0]), e.x[1]], y: [y0, y1] };
  }, [e, floor, logX, logY]);

  function onMove(event: PointerEvent<HTMLDivElement>) {
    const el = wrapper.current;
    if (!el || !bounds) return;
    const rect = el.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const left = MARGIN.left + Y_AXIS_WIDTH;
    const frac = (px - left) / (rect.width - left - MARGIN.right);
    if (frac < 0 || frac > 1) return setHover(null);
    const [x0, x1] = bounds.x;
    const x = logX ? Math.exp(Math.log(x0) + frac * (Math.log(x1) - Math.log(x0))) : x0 + frac * (x1 - x0);
    setHover({ x, px });
  }

  const colors = new Map(curves.map((c) => [c.key, c.color]));
  // Bands that are intervals (a group's, B_simple's) are read out with the value; a raw spread is not.
  const intervals = new Set(curves.filter((c) => c.band && (c.group || c.interval)).map((c) => c.key));
  const dashed = new Set(curves.filter((c) => c.dashed).map((c) => c.key));
  const unresolved = hover ? flaggedNear(grid, grid.unresolved, curves.filter((c) => c.unresolved).map((c) => c.key), hover.x) : [];
  const estimating = hover ? flaggedNear(grid, grid.estimating, curves.filter((c) => c.estimating).map((c) => c.key), hover.x) : [];
  const readout = hover
    ? valuesNear(
        grid,
        curves.filter((c) => !unresolved.includes(c.key) && !estimating.includes(c.key)).map((c) => c.key),
        hover.x,
      ).sort((a, b) => b.y - a.y)
    : [];

  return (
    <section className="chart" aria-label={label} data-testid={`chart-${name}`}>
      <div className="chart-head">
        <h3>{title}</h3>
        <ChartExportButtons name={name} label={label} />
      </div>
      {/* A tap (pointer down) shows the readout where a hover would, and it stays until the next tap: a
          finger's pointer leaves as it lifts, so only a mouse leaving hides it. */}
      <div
        ref={wrapper}
        className="chart-body"
        onPointerMove={onMove}
        onPointerDown={onMove}
        onPointerLeave={(event) => event.pointerType === 'mouse' && setHover(null)}
      >
        {bounds ? (
          <Plot grid={grid} curves={curves} marks={marks} bounds={bounds} floor={floor} logX={logX} logY={logY} height={height} />
        ) : (
          <div className="chart-empty" style={{ height }}>
            {estimatingOnly ? `B_simple: ${ESTIMATING} (its 95 % interval needs a few measurements)` : emptyText}
          </div>
        )}
        {hover && readout.length + unresolved.length + estimating.length > 0 && (
          <>
            <div className="chart-cursor" style={{ left: hover.px, height }} />
            <div className="chart-readout" role="status">
              <div className="readout-x">
                {X_AXIS_LABELS[xAxis]} ≈ {formatNumber(hover.x)}
              </div>
              {readout.map((r) => (
                <div key={r.id}>
                  <span className={dashed.has(r.id) ? 'swatch swatch-dashed' : 'swatch'} style={{ background: colors.get(r.id), borderColor: colors.get(r.id) }} /> {r.id}: {formatNumber(r.y)}
                  {intervals.has(r.id) && bandText(bandNear(grid, r.id, hover.x))}
                </div>
              ))}
              {unresolved.map((id) => (
                <div key={id} data-testid="readout-unresolved">
                  <span className="swatch" style={{ background: colors.get(id) }} /> {id}: B<sub>simple</sub> ≫ B here: not resolved
                </div>
              ))}
              {estimating.map((id) => (
                <div key={id} data-testid="readout-estimating">
                  <span className="swatch" style={{ background: colors.get(id) }} /> {id}: B<sub>simple</sub> {ESTIMATING}
                </div>
              ))}
            </div>
          </>
        )}
      </div>
      <div className="chart-caption">
        x: {X_AXIS_LABELS[xAxis]}
        {caption ? <> · {caption}</> : null}
        {epochSize ? (
          <>
            {' '}
            · <span className="legend-epoch" /> epoch = {epochSize.toLocaleString('en-US')} samples{every > 1 ? ` (every ${ordinal(every)} marked)` : ''}
          </>
        ) : null}
        {floor !== null && <> · dashed grey: Bayes loss {formatNumber(floor)}</>}
        {curves.some((c) => c.group) && <> · bold: seed groups, {groupMode === 'std' ? 'mean ± std across seeds' : 'mean with its 95 % interval'}</>}
        {curves.some((c) => c.unresolved) && <> · dash at the top: B_simple ≫ B there, not resolved</>}
      </div>
    </section>
  );
});
