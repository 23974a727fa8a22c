/** Serves a production build with `vite preview` for a benchmark, until the returned function stops it. */
import { spawn } from 'node:child_process';

export async function startPreview(port: number, outDir = 'dist'): Promise<() => void> {
  const base = `http://127.0.0.1:${port}/`;
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', outDir], {
    stdio: 'ignore',
    detached: true,
  });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(base)).ok) return () => process.kill(-server.pid!, 'SIGTERM');
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not start on ${base}`);
}
