/**
 * End-to-end tests against the production build (`vite preview`), in Debian's Chromium: Playwright cannot
 * download its own browsers here, so no bundled browser channel is used. `scripts/ensure-chromium.mjs`
 * (run by `npm run test:e2e`) makes sure the binary exists. See PLATFORM.md for the flags: WebGPU needs
 * --enable-unsafe-webgpu on a machine without a GPU (it then runs on SwiftShader).
 */
import { defineConfig } from '@playwright/test';

// E2E_PORT lets two checkouts run their end-to-end tests side by side.
const PORT = Number(process.env.E2E_PORT ?? 4173);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'e2e',
  // One browser at a time: a second worker gains nothing on 2 cores and training tests contend for them.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  reporter: 'list',
  use: {
    baseURL: BASE_URL,
    trace: 'retain-on-failure',
    // The built lab registers a service worker; only the offline tests (offline.spec.ts) let it run, so the
    // others see the network as before.
    serviceWorkers: 'block',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium',
      args: ['--enable-unsafe-webgpu', '--disable-quic'],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: BASE_URL,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
