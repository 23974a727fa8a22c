/**
 * Deploying anywhere: the production build (dist, as `npm run build` left it) served from a sub-path of a
 * plain static server loads everything relative to its folder and trains on shipped data; copied links
 * point at the page's own address; a lab built with VITE_PUBLIC_URL copies links to that address, says
 * so, and its link opens on the other deployment.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { rmSync } from 'node:fs';
import { decodeLink } from '../src/spec/link';
import { ExperimentSpec } from '../src/spec/schema';
import { DIGITS_SPEC, SMALL_SPEC, experimentPath, row, waitForSteps, watchForFailures } from './helpers';
import { buildFolder, buildLab, serveStatic, type StaticServer } from './hosting';

let server: StaticServer;
let elsewhere: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  elsewhere = buildFolder();
  server = await serveStatic({ '/lab/': 'dist', '/elsewhere/': elsewhere });
  // A second deployment of the same version, built to hand out links to the first one.
  buildLab(elsewhere, `${server.origin}/lab/`);
});
test.afterAll(async () => {
  await server.close();
  rmSync(elsewhere, { recursive: true, force: true });
});

/** Every response of the page that was not a success. */
function watchForMissing(page: Page): string[] {
  const missing: string[] = [];
  page.on('response', (r) => r.status() >= 400 && missing.push(`${r.status()} ${r.url()}`));
  page.on('requestfailed', (r) => missing.push(`failed ${r.url()}`));
  return missing;
}

// The lab is served from this test's own static host: its requests there are not to another origin.
test.beforeEach(({ policyGuard }) => policyGuard.allow(server.origin));

test('served from /lab/ by a plain static server, the build loads everything and trains on the digits file', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const failures = watchForFailures(page);
  const missing = watchForMissing(page);
  await page.goto(`${server.origin}/lab${experimentPath(DIGITS_SPEC, true, '?backend=wasm')}`);
  await waitForSteps(page, 'mlp', 20, 90_000);
  await expect(page.getByTestId('backend-name')).toHaveText('wasm');

  // The icon, the manifest and the manifest's icons, all found under /lab/.
  const urls = await page.evaluate(async () => {
    const icon = document.querySelector<HTMLLinkElement>('link[rel=icon]')!.href;
    const manifestUrl = document.querySelector<HTMLLinkElement>('link[rel=manifest]')!.href;
    const manifest = (await (await fetch(manifestUrl)).json()) as { icons: { src: string }[] };
    return [icon, manifestUrl, ...manifest.icons.map((i) => new URL(i.src, manifestUrl).href)];
  });
  for (const url of urls) {
    expect(url.startsWith(`${server.origin}/lab/`), url).toBe(true);
    expect((await page.request.get(url)).status(), url).toBe(200);
  }
  expect(missing).toEqual([]);

  // A copied link is the page's own address (folder and query), with the experiment in the fragment.
  await expect(page.getByTestId('share-target')).toHaveCount(0);
  await page.getByTestId('copy-link').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.startsWith(`${server.origin}/lab/?backend=wasm#e=`), link).toBe(true);
  expect(await failures()).toEqual([]);
});

test('a lab built with VITE_PUBLIC_URL copies links to that address, says so, and the link opens there', async ({ page, context, browser }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const failures = watchForFailures(page);
  await page.goto(`${server.origin}/elsewhere${experimentPath(SMALL_SPEC, true, '?backend=wasm')}`);
  await waitForSteps(page, 'small', 10);
  await expect(page.getByTestId('share-target')).toContainText(`links open ${server.origin}/lab/`);
  await page.getByTestId('copy-link').click();
  await expect(page.getByText(/Copied ✓/)).toBeVisible();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link.startsWith(`${server.origin}/lab/#e=`), link).toBe(true);
  const decoded = decodeLink(link);
  expect(decoded.ok && decoded.state.spec).toEqual(ExperimentSpec.parse(SMALL_SPEC));

  // The other deployment opens it (paused, as a link does) and trains it.
  const other = await browser.newPage();
  const otherFailures = watchForFailures(other);
  await other.goto(link);
  await expect(row(other, 'large')).toBeVisible();
  await expect(other.getByTestId('play')).toBeEnabled({ timeout: 30_000 });
  await other.getByTestId('play').click();
  await waitForSteps(other, 'small', 10);
  expect(await otherFailures()).toEqual([]);
  await other.close();
  expect(await failures()).toEqual([]);
});
