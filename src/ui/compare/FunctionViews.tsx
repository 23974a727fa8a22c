/**
 * Views of the two functions at the comparison level: decision maps of A and B and their difference (2-D
 * tasks), a scatter of p_A(y|x) against p_B(y|x) on the probe set, and the probe examples where they
 * disagree most (drawn as points, pictures or text where the task says how).
 */
import { useMemo } from 'react';
import type { FunctionDistance } from '../../engine/distance';
import { probabilities } from '../../engine/distance';
import type { LadderPoint } from '../../engine/ladder';
import type { ProbeInfo } from '../../engine/trainer';
import { runColor } from '../colors';
import { formatNumber } from '../charts/format';
import { hexToRgb, paintGrid, useCanvas } from './canvas';

const MAP_PX = 180;

/** Each cell's colour: the class colours mixed by the predicted probabilities (white-washed when unsure). */
function classMix(probs: Float64Array, k: number, cell: number): [number, number, number] {
  const out = [0, 0, 0];
  let top = 0;
  for (let j = 0; j < k; j++) {
    const p = probs[cell * k + j];
    top = Math.max(top, p);
    hexToRgb(runColor(j)).forEach((c, i) => (out[i] += p * c));
  }
  const certainty = (top - 1 / k) / (1 - 1 / k); // 0 at uniform, 1 when sure
  return out.map((c) => Math.round(255 - certainty * (255 - c))) as [number, number, number];
}

function DecisionMap({ grid, k, label, testId }: { grid: Float32Array; k: number; label: string; testId: string }) {
  const probs = useMemo(() => probabilities(grid, k), [grid, k]);
  const size = Math.round(Math.sqrt(grid.length / k));
  const ref = useCanvas((ctx, canvas) => paintGrid(ctx, canvas, size, (cell) => classMix(probs, k, cell)), [probs, size, k]);
  return (
    <figure className="compare-map">
      <canvas ref={ref} width={MAP_PX} height={MAP_PX} data-testid={testId} role="img" aria-label={`Decision map of ${label}`} />
      <figcaption>{label}</figcaption>
    </figure>
  );
}

function DifferenceMap({ a, b, k }: { a: Float32Array; b: Float32Array; k: number }) {
  const tv = useMemo(() => {
    const pa = probabilities(a, k);
    const pb = probabilities(b, k);
    return Float64Array.from({ length: a.length / k }, (_, cell) => {
      let d = 0;
      for (let j = 0; j < k; j++) d += Math.abs(pa[cell * k + j] - pb[cell * k + j]);
      return d / 2;
    });
  }, [a, b, k]);
  const size = Math.round(Math.sqrt(tv.length));
  const ref = useCanvas((ctx, canvas) => paintGrid(ctx, canvas, size, (cell) => [255 - 140 * tv[cell], 255 - 225 * tv[cell], 255 - 80 * tv[cell]].map(Math.round) as [number, number, number]), [tv, size]);
  const max = Math.max(...tv);
  return (
    <figure className="compare-map">
      <canvas ref={ref} width={MAP_PX} height={MAP_PX} data-testid="map-difference" role="img" aria-label="Where A and B differ" />
      <figcaption>|A − B| (TV per point; darkest here {formatNumber(max)})</figcaption>
    </figure>
  );
}

export function DecisionMaps({ a, b, labels, k }: { a: LadderPoint; b: LadderPoint; labels: [string, string]; k: number }) {
  if (!a.grid || !b.grid) return null;
  return (
    <div className="compare-maps" data-testid="decision-maps">
      <DecisionMap grid={a.grid} k={k} label={`A: ${labels[0]}`} testId="map-a" />
      <DecisionMap grid={b.grid} k={k} label={`B: ${labels[1]}`} testId="map-b" />
      <DifferenceMap a={a.grid} b={b.grid} k={k} />
    </div>
  );
}

const SCATTER_PX = 220;

/** p_A(y|x) against p_B(y|x) for the probe label y of every recorded row: on the diagonal, the functions agree. */
export function ProbabilityScatter({ a, b, probe, labels }: { a: LadderPoint; b: LadderPoint; probe: ProbeInfo; labels: [string, string] }) {
  const k = probe.shape.classes;
  const points = useMemo(() => {
    const pa = probabilities(a.outputs, k);
    const pb = probabilities(b.outputs, k);
    const y = probe.labels!;
    return Array.from(y, (label, row) => [pa[row * k + label], pb[row * k + label]]);
  }, [a, b, k, probe.labels]);
  const ref = useCanvas(
    (ctx, canvas) => {
      const { width: w, height: h } = canvas;
      ctx.clearRect(0, 0, w, h);
      ctx.strokeStyle = '#d1d5db';
      ctx.beginPath();
      ctx.moveTo(0, h);
      ctx.lineTo(w, 0);
      ctx.stroke();
      ctx.fillStyle = 'rgba(37, 99, 235, 0.35)';
      for (const [x, y] of points) ctx.fillRect(x * (w - 3), (1 - y) * (h - 3), 3, 3);
    },
    [points],
  );
  return (
    <figure className="compare-scatter">
      <canvas ref={ref} width={SCATTER_PX} height={SCATTER_PX} data-testid="prob-scatter" role="img" aria-label={`p(label) under ${labels[0]} against ${labels[1]} on ${points.length} probe examples`} />
      <figcaption>
        p<sub>A</sub>(y|x) → against p<sub>B</sub>(y|x) ↑ for the probe label y ({points.length} examples)
      </figcaption>
    </figure>
  );
}

/** One probe input, drawn the way its task suggests. */
function ProbeInput({ probe, index }: { probe: ProbeInfo; index: number }) {
  const d = probe.inputDim;
  const x = probe.x.subarray(index * d, (index + 1) * d);
  const image = probe.image;
  const ref = useCanvas(
    (ctx) => {
      if (!image) return;
      const { width, height, channels } = image;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of x) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
      const data = ctx.createImageData(width, height);
      for (let p = 0; p < width * height; p++) {
        for (let c = 0; c < 3; c++) data.data[4 * p + c] = Math.round((255 * (x[p * channels + (channels === 3 ? c : 0)] - lo)) / (hi - lo || 1));
        data.data[4 * p + 3] = 255;
      }
      ctx.putImageData(data, 0, 0);
    },
    [x, image],
  );
  if (image) return <canvas ref={ref} width={image.width} height={image.height} className="probe-image" />;
  if (probe.vocabulary) return <code className="probe-text">{Array.from(x, (t) => probe.vocabulary![t] ?? '?').join('')}</code>;
  const shown = Array.from(x.subarray(0, 4), (v) => v.toFixed(2)).join(', ');
  return <code>({shown}{d > 4 ? ', …' : ''})</code>;
}

export function Disagreements({ a, b, probe, distance, count = 8 }: { a: LadderPoint; b: LadderPoint; probe: ProbeInfo; distance: FunctionDistance; count?: number }) {
  const k = probe.shape.classes;
  const single = probe.shape.positions === 1 && distance.kind === 'classification';
  const worst = useMemo(() => Array.from(distance.perExample.keys()).sort((i, j) => distance.perExample[j] - distance.perExample[i]).slice(0, count), [distance, count]);
  const pa = useMemo(() => (single ? probabilities(a.outputs, k) : null), [single, a, k]);
  const pb = useMemo(() => (single ? probabilities(b.outputs, k) : null), [single, b, k]);
  const argmax = (p: Float64Array, row: number) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (p[row * k + j] > p[row * k + best]) best = j;
    return best;
  };
  return (
    <table className="compare-disagreements" data-testid="disagreements">
      <caption>Probe examples where A and B differ most</caption>
      <thead>
        <tr>
          <th>#</th>
          <th>input</th>
          {single && <th>label</th>}
          {single && <th>A says</th>}
          {single && <th>B says</th>}
          <th>{distance.kind === 'classification' ? 'TV' : 'RMS diff'}</th>
        </tr>
      </thead>
      <tbody>
        {worst.map((i) => (
          <tr key={i}>
            <td>{i}</td>
            <td>
              <ProbeInput probe={probe} index={i} />
            </td>
            {single && <td>{probe.labels![i]}</td>}
            {single && (
              <td>
                {argmax(pa!, i)} ({formatNumber(pa![i * k + argmax(pa!, i)])})
              </td>
            )}
            {single && (
              <td>
                {argmax(pb!, i)} ({formatNumber(pb![i * k + argmax(pb!, i)])})
              </td>
            )}
            <td>{formatNumber(distance.perExample[i])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
