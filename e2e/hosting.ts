/**
 * Hosting for the deployment tests: a plain static file server (node:http, nothing else) that serves
 * folders under URL prefixes (e.g. dist at /lab/), with no rewrites, no fallback to index.html and no
 * knowledge of the app, as GitHub Pages or nginx would; and extra production builds in other folders.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
};

export interface StaticServer {
  /** http://127.0.0.1:<port> (no trailing slash). */
  origin: string;
  close(): Promise<void>;
}

/** The file a request path names under one of the mounts (prefix → folder), or null. */
async function fileFor(mounts: [string, string][], pathname: string): Promise<string | null> {
  for (const [prefix, folder] of mounts) {
    if (!pathname.startsWith(prefix)) continue;
    const root = resolve(folder);
    let path = resolve(join(root, decodeURIComponent(pathname.slice(prefix.length))));
    if (path !== root && !path.startsWith(root + sep)) return null;
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      // A folder without its trailing slash would resolve relative URLs one level up: not served.
      if (!pathname.endsWith('/')) return null;
      path = join(path, 'index.html');
    }
    return (await stat(path).catch(() => null))?.isFile() ? path : null;
  }
  return null;
}

/** A new folder for a build of the lab outside the checkout (so no linter or test runner sees it). */
export const buildFolder = (): string => mkdtempSync(join(tmpdir(), 'lab-build-'));

/** Builds the lab into `outDir` (emptied first), with VITE_PUBLIC_URL set to `publicUrl`. */
export function buildLab(outDir: string, publicUrl: string): void {
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], {
    env: { ...process.env, VITE_PUBLIC_URL: publicUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Serves `mounts` ({ '/lab/': 'dist' }); files are read on each request, so a rebuild is served at once. */
export async function serveStatic(mounts: Record<string, string>): Promise<StaticServer> {
  const entries = Object.entries(mounts);
  const server = createServer((request, response) => {
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    void fileFor(entries, pathname).then(async (path) => {
      if (!path) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
        return;
      }
      const { size, mtime } = await stat(path);
      response.writeHead(200, {
        'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
        'content-length': size,
        'last-modified': mtime.toUTCString(),
        'cache-control': 'no-cache',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(path).pipe(response);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
