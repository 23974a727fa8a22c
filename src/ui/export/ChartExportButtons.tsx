/** "SVG" and "PNG" under a chart's title: the chart with its title, axis labels and legend, as a file. */
import { useState } from 'react';
import { X_AXIS_LABELS } from '../../spec/view';
import { useControlHidden } from '../stores/classroom';
import { useView } from '../stores/view';
import { chartSvg, download, svgToPng } from './chartImage';

export function ChartExportButtons({ name, label }: { name: string; label: string }) {
  const hidden = useControlHidden('export');
  const [error, setError] = useState<string | null>(null);
  if (hidden) return null;

  async function save(kind: 'svg' | 'png') {
    setError(null);
    const section = document.querySelector(`[data-testid="chart-${CSS.escape(name)}"]`);
    try {
      if (!section) throw new Error('The chart is not on the page.');
      const image = chartSvg(section, { title: label, xLabel: X_AXIS_LABELS[useView.getState().xAxis], yLabel: label });
      if (kind === 'svg') download(`sgd-lab-${name}.svg`, image.svg, 'image/svg+xml');
      else download(`sgd-lab-${name}.png`, await svgToPng(image));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <span className="chart-export">
      <button type="button" className="link-button" onClick={() => void save('svg')} data-testid={`export-svg-${name}`} title={`Download “${label}” as SVG`}>
        SVG
      </button>
      <button type="button" className="link-button" onClick={() => void save('png')} data-testid={`export-png-${name}`} title={`Download “${label}” as PNG`}>
        PNG
      </button>
      {error && <small role="alert">{error}</small>}
    </span>
  );
}
