#!/usr/bin/env node
/**
 * Renders the app icons of the web app manifest (vite.config.ts) from public/favicon.svg with the Chromium
 * the tests drive, so no image library is needed:
 *
 *   node scripts/build-icons.mjs
 *
 * writes public/icons/icon-192.png and icon-512.png (the favicon as drawn, rounded corners on transparent)
 * and icon-maskable-512.png (full-bleed background, the curves inside the central 80 % "safe zone" that
 * a launcher's mask may keep). Chromium's installability check needs a PNG of at least 144 px.
 */
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';

const SVG = readFileSync(new URL('../public/favicon.svg', import.meta.url), 'utf8');
const OUT = new URL('../public/icons/', import.meta.url);
const BACKGROUND = '#1f2937'; // the favicon's own background

/** The favicon as an <img>, `inset` (a fraction of the size) from each edge, on `background`. */
function page(size, inset, background) {
  const src = `data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}`;
  const pad = Math.round(size * inset);
  return `<body style="margin:0;background:${background}"><img src="${src}" style="display:block;margin:${pad}px;width:${size - 2 * pad}px;height:${size - 2 * pad}px"></body>`;
}

const ICONS = [
  { file: 'icon-192.png', size: 192, inset: 0, background: 'transparent' },
  { file: 'icon-512.png', size: 512, inset: 0, background: 'transparent' },
  { file: 'icon-maskable-512.png', size: 512, inset: 0.1, background: BACKGROUND },
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium' });
try {
  for (const icon of ICONS) {
    const tab = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    await tab.setContent(page(icon.size, icon.inset, icon.background));
    await tab.locator('img').evaluate((img) => img.decode());
    await tab.screenshot({ path: new URL(icon.file, OUT).pathname, omitBackground: icon.background === 'transparent' });
    await tab.close();
    console.log(`public/icons/${icon.file}`);
  }
} finally {
  await browser.close();
}
