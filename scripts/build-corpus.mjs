#!/usr/bin/env node
/**
 * Rebuilds public/data/kjv.txt, the shipped English corpus of the text task: the King James Bible (1611,
 * public domain), from Debian's packages `bible-kjv-text` (the text, in the Bible Retrieval System's own
 * compressed format) and `bible-kjv` (the program that prints it). Neither is installed: both are
 * downloaded with `apt-get download` and unpacked with `dpkg-deb -x` into a temporary folder.
 *
 *   node scripts/build-corpus.mjs            # needs Debian (apt-get, dpkg-deb) on x86-64 or arm64
 *
 * Normalisation: chapter headings and verse numbers are dropped, each verse is one line of plain text
 * (the source is pure ASCII). Books follow in canonical order, Genesis to Revelation.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'data', 'kjv.txt');
const work = mkdtempSync(join(tmpdir(), 'kjv-'));

try {
  execFileSync('apt-get', ['download', 'bible-kjv-text', 'bible-kjv'], { cwd: work, stdio: 'inherit' });
  const unpacked = join(work, 'root');
  for (const deb of readdirSync(work).filter((f) => f.endsWith('.deb'))) {
    execFileSync('dpkg-deb', ['-x', join(work, deb), unpacked]);
  }
  // -l: one line per verse (no wrapping); -m: enough buffer memory for the whole book in one go.
  const raw = execFileSync(join(unpacked, 'usr/bin/bible'), ['-p', join(unpacked, 'usr/lib'), '-l100000', '-m', '8192', 'gen1:1-rev22:21'], {
    maxBuffer: 64 * 1024 * 1024,
    encoding: 'latin1',
  });
  const verses = [];
  for (const line of raw.split('\n')) {
    const verse = /^\s+\d+ (.*\S)\s*$/.exec(line);
    if (verse) verses.push(verse[1]);
    else if (line.trim() && !/^[1-3A-Z][A-Za-z ]* \d+$/.test(line.trim())) throw new Error(`unexpected line: ${JSON.stringify(line)}`);
  }
  const text = verses.join('\n') + '\n';
  if (!/^[\x20-\x7e\n]*$/.test(text)) throw new Error('the corpus is not plain printable ASCII');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text, 'latin1');
  const chars = new Set(text);
  const sha = createHash('sha256').update(text, 'latin1').digest('hex');
  console.log(`wrote ${out}: ${verses.length} verses, ${text.length} bytes, ${chars.size} distinct characters, sha256 ${sha}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
