/**
 * The README and the pages under docs/ link to each other, to source files and to headings. A file moves or a
 * heading is reworded and the link dies silently on GitHub; this test reads every relative link (and its
 * `#anchor`, slugged as GitHub does) and fails naming each one that does not resolve.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

interface Link {
  file: string;
  line: number;
  target: string;
}

/** The lines of a Markdown text with fenced code blocks blanked out (same line count): examples are neither links nor headings. */
function proseLines(text: string): string[] {
  let fenced = false;
  return text.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** Every inline link or image `[text](target)` and reference definition `[name]: target`, with its line. */
export function linksIn(file: string, text: string): Link[] {
  const links: Link[] = [];
  proseLines(text)
    .map((line) => line.replace(/(`+)[^`]*?\1/g, '')) // inline code is an example, not a link
    .forEach((line, i) => {
      for (const m of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) links.push({ file, line: i + 1, target: m[1] });
      const ref = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(line);
      if (ref) links.push({ file, line: i + 1, target: ref[1] });
    });
  return links;
}

/** GitHub's anchors for the headings of a Markdown text: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading slugs as its text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

/** What is wrong with one link, or null when it resolves (external links are not followed). */
export function problemWith(link: Link, read: (path: string) => string | null, isDir: (path: string) => boolean): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(link.target) || link.target.startsWith('//')) return null;
  const hash = link.target.indexOf('#');
  const path = decodeURIComponent(hash < 0 ? link.target : link.target.slice(0, hash));
  const anchor = hash < 0 ? null : decodeURIComponent(link.target.slice(hash + 1));
  const target = path === '' ? link.file : path.startsWith('/') ? join(ROOT, path) : join(dirname(link.file), path);
  const where = `${relative(ROOT, link.file)}:${link.line} → ${link.target}`;
  if (isDir(target)) return anchor === null ? null : `${where}: an anchor into a folder`;
  const text = read(target);
  if (text === null) return `${where}: no such file ${relative(ROOT, target)}`;
  if (anchor === null || !target.endsWith('.md')) return null;
  return anchorsOf(text).has(anchor) ? null : `${where}: no heading #${anchor} in ${relative(ROOT, target)}`;
}

function readOrNull(path: string): string | null {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, 'utf8') : null;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

const pages = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f))];

describe('documentation links', () => {
  it('every relative link in README.md and docs/*.md resolves to a file, and every #anchor to a heading', () => {
    const links = pages.flatMap((page) => linksIn(page, readFileSync(page, 'utf8')));
    expect(links.length).toBeGreaterThan(20); // the pages do link to each other: a parser that finds nothing would pass vacuously
    const problems = links.map((link) => problemWith(link, readOrNull, isDirectory)).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  it('every docs page is linked from the README', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const linked = new Set(linksIn(join(ROOT, 'README.md'), readme).map((l) => l.target.split('#')[0]));
    const unlinked = pages.filter((p) => p.endsWith('.md') && dirname(p) !== ROOT).filter((p) => !linked.has(relative(ROOT, p)));
    expect(unlinked.map((p) => relative(ROOT, p))).toEqual([]);
  });

  it('the checker reports a missing file, a missing heading and an anchor into a folder, and passes good links and code', () => {
    const docs = join(ROOT, 'docs');
    const files: Record<string, string> = {
      [join(docs, 'a.md')]: [
        '# Page A',
        '## Known limits',
        'See [b](b.md#the-runners-json), [gone](missing.md), [bad anchor](b.md#nope), [here](#known-limits),',
        '[self bad](#not-here), [folder](../src/), [folder anchor](../src/#x), [web](https://example.org/#x), [code](../src/main.tsx#L3).',
        '`[not a link](nowhere.md)`',
        '```',
        '[also not](nowhere.md)',
        '```',
        '[ref]: ./b.md#twice-1',
      ].join('\n'),
      [join(docs, 'b.md')]: "# B\n## The runner's JSON\n## Twice\n## Twice\n",
      [join(ROOT, 'src/main.tsx')]: '',
    };
    const read = (p: string) => files[p] ?? null;
    const isDir = (p: string) => resolve(p) === join(ROOT, 'src');
    const page = join(docs, 'a.md');
    const problems = linksIn(page, files[page])
      .map((l) => problemWith(l, read, isDir))
      .filter((p) => p !== null);
    expect(problems).toEqual([
      'docs/a.md:3 → missing.md: no such file docs/missing.md',
      'docs/a.md:3 → b.md#nope: no heading #nope in docs/b.md',
      'docs/a.md:4 → #not-here: no heading #not-here in docs/a.md',
      'docs/a.md:4 → ../src/#x: an anchor into a folder',
    ]);
  });
});
