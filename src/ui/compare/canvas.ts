/** Small raster helpers for the compare view's maps and scatter (canvas: thousands of cells or dots). */
import { useEffect, useRef } from 'react';

/** Draws with `draw` whenever `deps` change; returns the ref to put on the canvas. */
export function useCanvas(draw: (ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement) => void, deps: unknown[]) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (canvas && ctx) draw(ctx, canvas);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller lists what the drawing depends on
  }, deps);
  return ref;
}

export function hexToRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Paints a size×size grid of RGB cells (row-major from the top) scaled to the canvas. */
export function paintGrid(ctx: CanvasRenderingContext2D, canvas: HTMLCanvasElement, size: number, color: (cell: number) => [number, number, number]): void {
  const image = ctx.createImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = color(i);
    image.data.set([r, g, b, 255], 4 * i);
  }
  const off = document.createElement('canvas');
  off.width = off.height = size;
  off.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, 0, 0, canvas.width, canvas.height);
}
