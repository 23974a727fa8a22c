#!/usr/bin/env node
/**
 * Makes sure the Chromium that Playwright drives (playwright.config.ts) is present: $CHROMIUM_PATH if set,
 * else Debian's /usr/lib/chromium/chromium (the real binary; /usr/bin/chromium is a wrapper script).
 * Playwright cannot download browsers here, so a missing Chromium is installed with apt-get when running
 * as root, and otherwise reported with what to install. Exit 0 when a usable binary is found, else 1.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { aptInstall, isRoot } from './apt.mjs';

const DEFAULT_PATH = '/usr/lib/chromium/chromium';
const fromEnv = process.env.CHROMIUM_PATH || '';
const binary = fromEnv || DEFAULT_PATH;

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function version(path) {
  const result = spawnSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if (result.status !== 0) return null;
  return result.stdout.trim() || null;
}

function fail(why) {
  console.error(`ensure-chromium: ${why}`);
  console.error('The end-to-end tests need Debian\'s Chromium (Playwright cannot download browsers here). Either:');
  console.error('  - install it as root:  apt-get install -y chromium   (provides /usr/lib/chromium/chromium), or');
  console.error('  - point CHROMIUM_PATH at a Chromium binary:  CHROMIUM_PATH=/path/to/chromium npm run test:e2e');
  process.exit(1);
}

if (!executable(binary)) {
  if (fromEnv) fail(`CHROMIUM_PATH=${fromEnv} is not an executable file.`);
  if (!isRoot()) fail(`Chromium not found at ${DEFAULT_PATH}, and installing it needs root.`);
  console.error(`ensure-chromium: Chromium not found at ${DEFAULT_PATH}; installing it.`);
  if (!aptInstall('ensure-chromium', 'chromium')) fail('apt-get could not install chromium.');
  if (!executable(binary)) fail(`apt-get finished but ${binary} is still missing.`);
}

const v = version(binary);
if (!v) fail(`${binary} is present but "${binary} --version" failed.`);
console.log(`ensure-chromium: using ${binary} (${v})`);
