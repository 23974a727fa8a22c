#!/usr/bin/env node
/**
 * Makes sure GNU parallel is on PATH, for the scale-out recipe that `npm test` runs
 * (deploy/cluster/parallel.sh, test/parallelRecipe.test.ts): installs Debian's `parallel` with apt-get
 * when running as root, and otherwise says what to install. moreutils ships another program named
 * `parallel`; only GNU's will do. Exit 0 when GNU parallel is there, else 1.
 */
import { spawnSync } from 'node:child_process';
import { aptInstall, isRoot } from './apt.mjs';

function gnuParallel() {
  const result = spawnSync('parallel', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if (result.status !== 0) return null;
  return /GNU parallel/.test(result.stdout) ? result.stdout.split('\n')[0] : null;
}

function fail(why) {
  console.error(`ensure-parallel: ${why}`);
  console.error("The scale-out recipe's test needs GNU parallel: as root, apt-get install -y parallel (Debian's package).");
  process.exit(1);
}

if (!gnuParallel()) {
  if (!isRoot()) fail('GNU parallel is not on PATH, and installing it needs root.');
  console.error('ensure-parallel: GNU parallel not found; installing it.');
  if (!aptInstall('ensure-parallel', 'parallel')) fail('apt-get could not install parallel.');
}
const version = gnuParallel();
if (!version) fail('`parallel --version` does not report GNU parallel (is moreutils\' parallel first on PATH?).');
console.log(`ensure-parallel: using ${version}`);
