/**
 * Installing a Debian package that a test needs, for the scripts that make sure it is there
 * (ensure-chromium.mjs, ensure-parallel.mjs): only as root, non-interactively, updating the package
 * lists once when the first try fails (a fresh machine often has none).
 */
import { spawnSync } from 'node:child_process';

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

function apt(tag, args) {
  console.error(`${tag}: apt-get ${args.join(' ')}`);
  const result = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.error) console.error(`${tag}: could not run apt-get: ${result.error.message}`);
  return result.status === 0;
}

/** apt-get install -y PACKAGE (after apt-get update when that fails); true when it succeeded. */
export function aptInstall(tag, pkg) {
  const installArgs = ['install', '-y', pkg];
  return apt(tag, installArgs) || (apt(tag, ['update']) && apt(tag, installArgs));
}
