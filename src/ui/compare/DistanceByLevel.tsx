/**
 * The pair's distance and its seed baseline's at every ladder level both reached, each with its 95 % bootstrap
 * band over probe examples: the trend, not one number.
 */
import { useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { LevelDistance } from '../../engine/compare';
import { formatNumber } from '../charts/format';

interface Props {
  series: LevelDistance[];
  /** "TV" or "relative RMS". */
  measure: string;
  pairLabel: string;
  baselineLabel: string | null;
}

export function DistanceByLevel({ series, measure, pairLabel, baselineLabel }: Props) {
  // recharts draws an <Area> whose value is [low, high] as a band between them.
  const data = useMemo(
    () =>
      series.map((s) => ({
        ...s,
        distanceBand: [s.distanceLow, s.distanceHigh],
        baselineBand: s.baselineLow !== null && s.baselineHigh !== null ? [s.baselineLow, s.baselineHigh] : null,
      })),
    [series],
  );
  if (series.length < 2) return <p className="chart-caption">The trend across the ladder appears once both runs have reached two levels.</p>;
  return (
    <figure className="compare-chart" data-testid="distance-by-level">
      <figcaption>
        {measure} against the held-out loss level (training goes right); bands: 95 % bootstrap intervals over probe examples
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="level" type="number" scale="log" domain={['dataMax', 'dataMin']} reversed tickFormatter={formatNumber} allowDataOverflow label={{ value: 'held-out loss level', position: 'insideBottom', offset: -8, fontSize: 11 }} />
          <YAxis domain={[0, 'auto']} tickFormatter={formatNumber} width={48} />
          <Tooltip
            formatter={(v) => (Array.isArray(v) ? `[${formatNumber(Number(v[0]))}, ${formatNumber(Number(v[1]))}]` : formatNumber(Number(v)))}
            labelFormatter={(l) => `level ${formatNumber(Number(l))}`}
          />
          <Legend verticalAlign="top" height={20} />
          <Area type="linear" dataKey="distanceBand" name={`${pairLabel}, 95 %`} fill="#2563eb" fillOpacity={0.18} stroke="none" isAnimationActive={false} legendType="none" className="band-distance" />
          {baselineLabel && (
            <Area type="linear" dataKey="baselineBand" name={`${baselineLabel}, 95 %`} fill="#9ca3af" fillOpacity={0.25} stroke="none" isAnimationActive={false} legendType="none" className="band-baseline" connectNulls />
          )}
          <Line type="linear" dataKey="distance" name={pairLabel} stroke="#2563eb" isAnimationActive={false} dot />
          {baselineLabel && <Line type="linear" dataKey="baseline" name={baselineLabel} stroke="#6b7280" strokeDasharray="4 3" isAnimationActive={false} dot connectNulls />}
        </ComposedChart>
      </ResponsiveContainer>
    </figure>
  );
}
