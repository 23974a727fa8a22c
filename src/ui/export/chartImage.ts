/**
 * A chart as a standalone image: the chart's own SVG (recharts' axes and grid, our curve paths) inside a
 * larger SVG that adds the title, the axis labels and a legend of every curve (read from the paths
 * themselves, so whatever a chart draws is in its legend). PNG is that SVG rasterised on a canvas at
 * PNG_SCALE× its size.
 */
export const PNG_SCALE = 2;

const FONT = 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif';
const LEFT = 30;
const TOP = 34;
const LEGEND_ITEM = 170;
const LEGEND_ROW = 18;

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

export interface ChartImage {
  svg: string;
  width: number;
  height: number;
}

export interface ChartLabels {
  title: string;
  xLabel: string;
  yLabel: string;
}

/** Builds the standalone SVG of the chart inside `section` (a MetricChart's <section>). */
export function chartSvg(section: Element, labels: ChartLabels): ChartImage {
  const surface = section.querySelector('svg.recharts-surface');
  if (!surface) throw new Error('The chart has nothing drawn yet.');
  const w = Math.round(Number(surface.getAttribute('width')) || surface.getBoundingClientRect().width);
  const h = Math.round(Number(surface.getAttribute('height')) || surface.getBoundingClientRect().height);
  const inner = surface.cloneNode(true) as SVGSVGElement;
  inner.setAttribute('x', String(LEFT));
  inner.setAttribute('y', String(TOP));
  inner.setAttribute('width', String(w));
  inner.setAttribute('height', String(h));
  inner.removeAttribute('style');
  inner.removeAttribute('class');

  const curves = [...section.querySelectorAll('path[data-run]')].map((p) => ({
    key: p.getAttribute('data-run') ?? '',
    color: p.getAttribute('stroke') ?? '#000',
    dash: p.getAttribute('stroke-dasharray'),
  }));
  const width = LEFT + w + 10;
  const perRow = Math.max(1, Math.floor((width - LEFT) / LEGEND_ITEM));
  const legendRows = Math.ceil(curves.length / perRow);
  const xLabelY = TOP + h + 16;
  const legendTop = xLabelY + 14;
  const height = legendTop + legendRows * LEGEND_ROW + 8;

  const legend = curves
    .map((c, i) => {
      const x = LEFT + (i % perRow) * LEGEND_ITEM;
      const y = legendTop + Math.floor(i / perRow) * LEGEND_ROW;
      const dash = c.dash ? ` stroke-dasharray="${escapeXml(c.dash)}"` : '';
      return `<g class="legend-item"><line x1="${x}" x2="${x + 22}" y1="${y + 6}" y2="${y + 6}" stroke="${escapeXml(c.color)}" stroke-width="2.5"${dash}/><text x="${x + 28}" y="${y + 10}" font-size="12">${escapeXml(c.key)}</text></g>`;
    })
    .join('');

  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text class="chart-title" x="${LEFT}" y="22" font-size="16" font-weight="600">${escapeXml(labels.title)}</text>` +
    new XMLSerializer().serializeToString(inner) +
    `<text class="axis-label-x" x="${LEFT + w / 2}" y="${xLabelY}" font-size="12" text-anchor="middle">${escapeXml(labels.xLabel)}</text>` +
    `<text class="axis-label-y" transform="translate(14 ${TOP + h / 2}) rotate(-90)" font-size="12" text-anchor="middle">${escapeXml(labels.yLabel)}</text>` +
    legend +
    `</svg>`;
  return { svg, width, height };
}

/** Rasterises the SVG on a canvas at PNG_SCALE× its size. */
export async function svgToPng(image: ChartImage): Promise<Blob> {
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(image.svg)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width * PNG_SCALE;
  canvas.height = image.height * PNG_SCALE;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The PNG could not be made.'))), 'image/png'));
}

/** Offers `data` as a download named `filename`. */
export function download(filename: string, data: Blob | string, type = 'application/octet-stream'): void {
  const blob = typeof data === 'string' ? new Blob([data], { type }) : data;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
