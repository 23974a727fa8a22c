/** The pair's distance and its seed baseline's at every ladder level both reached: the trend, not one number. */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatNumber } from '../charts/format';

interface Props {
  series: { level: number; distance: number; baseline: number | null }[];
  /** "TV" or "relative RMS". */
  measure: string;
  pairLabel: string;
  baselineLabel: string | null;
}

export function DistanceByLevel({ series, measure, pairLabel, baselineLabel }: Props) {
  if (series.length < 2) return <p className="chart-caption">The trend across the ladder appears once both runs have reached two levels.</p>;
  return (
    <figure className="compare-chart" data-testid="distance-by-level">
      <figcaption>
        {measure} against the held-out loss level (training goes right)
      </figcaption>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={series} margin={{ top: 8, right: 16, bottom: 16, left: 0 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis dataKey="level" type="number" scale="log" domain={['dataMax', 'dataMin']} reversed tickFormatter={formatNumber} allowDataOverflow label={{ value: 'held-out loss level', position: 'insideBottom', offset: -8, fontSize: 11 }} />
          <YAxis domain={[0, 'auto']} tickFormatter={formatNumber} width={48} />
          <Tooltip formatter={(v) => formatNumber(Number(v))} labelFormatter={(l) => `level ${formatNumber(Number(l))}`} />
          <Legend verticalAlign="top" height={20} />
          <Line type="linear" dataKey="distance" name={pairLabel} stroke="#2563eb" isAnimationActive={false} dot />
          {baselineLabel && <Line type="linear" dataKey="baseline" name={baselineLabel} stroke="#9ca3af" strokeDasharray="4 3" isAnimationActive={false} dot connectNulls />}
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
}
