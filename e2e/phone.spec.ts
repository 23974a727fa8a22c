/**
 * The lab on a phone (390 px) and a small tablet (768 px), touch only: no horizontal scroll, charts within
 * the width and training, the editor folded behind a button, a tap shows a chart's readout, and axe-core
 * finds no serious or critical accessibility violation (nor the heading-order one it used to).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SMALL_SPEC, experimentPath, tapChartAt, waitForSteps, watchForFailures } from './helpers';

/** How far the page is wider than its viewport (0: no horizontal scroll). */
const overflow = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Violations that block or seriously hinder someone, and heading order. */
async function auditViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const width of [390, 768]) {
  test.describe(`${width} px wide`, () => {
    test.use({ viewport: { width, height: 844 }, hasTouch: true, isMobile: true });

    test('no horizontal scroll; charts fit and train; the editor folds away; a tap reads a chart; axe finds nothing serious', async ({ page }) => {
      const failures = watchForFailures(page);
      await page.goto(experimentPath(SMALL_SPEC, true, '?backend=wasm'));
      await waitForSteps(page, 'small', 30);
      expect(await overflow(page)).toBe(0);

      for (const chart of ['trainLoss', 'evalLoss', 'gradNorm']) {
        const box = (await page.getByTestId(`chart-${chart}`).boundingBox())!;
        expect(box.x, chart).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, chart).toBeLessThanOrEqual(width);
        await expect(page.getByTestId(`chart-${chart}`).locator('path[data-run="small"]')).toHaveCount(1);
      }

      // A tap shows the readout where a hover would, with every run's value.
      const read = await tapChartAt(page, 'trainLoss', 0.5);
      expect(Object.keys(read).sort()).toEqual(['large', 'small']);
      expect(read.small).toBeGreaterThan(0);

      // The editor is behind a button; opened, it fits too.
      const editor = page.locator('#editor');
      await expect(editor).toBeHidden();
      await page.getByTestId('editor-toggle').tap();
      await expect(editor).toBeVisible();
      await expect(page.getByTestId('editor-toggle')).toHaveAttribute('aria-expanded', 'true');
      expect(await overflow(page)).toBe(0);
      expect(await auditViolations(page)).toEqual([]);
      await page.getByTestId('editor-toggle').tap();
      await expect(editor).toBeHidden();

      // The panel menu opens within the screen.
      await page.getByTestId('panels').tap();
      const menu = (await page.locator('.panel-menu').boundingBox())!;
      expect(menu.x).toBeGreaterThanOrEqual(0);
      expect(menu.x + menu.width).toBeLessThanOrEqual(width);
      expect(await overflow(page)).toBe(0);

      // Still training after all that.
      const now = Number(await page.getByTestId('run-row-small').getByTestId('steps').innerText());
      await waitForSteps(page, 'small', now + 10);
      expect(await auditViolations(page)).toEqual([]);
      expect(await failures()).toEqual([]);
    });
  });
}
