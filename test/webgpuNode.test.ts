/**
 * The headless runner on `--backend webgpu` (Dawn's Node bindings, the optional package `webgpu`): on the
 * SwiftShader Vulkan driver that Debian's Chromium ships (no GPU needed; CI installs Chromium first) it
 * trains, grouped along the run axis, to the cpu backend's numbers within float32 tolerance; with no
 * adapter it says so and exits with code 2.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../src/cli/result';
import type { ExperimentSpecInput } from '../src/spec/schema';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Chromium's folder: its SwiftShader Vulkan driver, and a Vulkan loader (libvulkan.so.1) for machines without libvulkan1. */
const CHROMIUM_DIR = dirname(process.env.CHROMIUM_PATH || '/usr/lib/chromium/chromium');
const SWIFTSHADER = join(CHROMIUM_DIR, 'vk_swiftshader_icd.json');

function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/experiment.ts', ...args],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, XDG_RUNTIME_DIR: tmpdir(), LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, CHROMIUM_DIR].filter(Boolean).join(':'), ...env },
      },
      (err, _stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr }),
    );
  });
}

// Small: SwiftShader compiles every shader on the CPU. Two runs at one batch size train as one group.
const SPEC: ExperimentSpecInput = {
  budgetSteps: 4,
  evalEvery: 4,
  probeSize: 16,
  noise: { enabled: false },
  runs: [
    { id: 'a', batchSize: 8, learningRate: 0.1, seed: 1 },
    { id: 'b', batchSize: 8, learningRate: 0.05, seed: 2 },
  ],
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lab-webgpu-'));
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(SPEC));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runner --backend webgpu', () => {
  it('trains on SwiftShader to the cpu backend\'s losses', { timeout: 600_000 }, async () => {
    expect(existsSync(SWIFTSHADER), `${SWIFTSHADER} (Chromium's SwiftShader driver; install Chromium: node scripts/ensure-chromium.mjs)`).toBe(true);
    const spec = join(dir, 'spec.json');
    const [gpu, cpu] = await Promise.all([
      cli({ VK_DRIVER_FILES: SWIFTSHADER }, spec, '--backend', 'webgpu', '--out', join(dir, 'webgpu.json')),
      cli({}, spec, '--backend', 'cpu', '--out', join(dir, 'cpu.json')),
    ]);
    expect(gpu.code, gpu.stderr).toBe(0);
    expect(cpu.code, cpu.stderr).toBe(0);
    expect(gpu.stderr).toMatch(/WebGPU adapter: .*swiftshader/i);
    const read = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as ExperimentResult;
    const [g, c] = [read('webgpu.json'), read('cpu.json')];
    expect(g.backend).toBe('webgpu');
    g.runs.forEach((run, r) => {
      expect(run.status).toBe('done');
      expect(run.metrics).toHaveLength(4);
      run.metrics.forEach((row, s) => {
        const ref = c.runs[r].metrics[s];
        expect(row.trainLoss).toBeCloseTo(ref.trainLoss!, 4);
        if (ref.evalLoss !== undefined) expect(row.evalLoss).toBeCloseTo(ref.evalLoss!, 4);
      });
    });
  });

  it('without an adapter says so and exits with code 2', { timeout: 120_000 }, async () => {
    const missing = join(dir, 'no-such-driver.json');
    const { code, stderr } = await cli({ VK_DRIVER_FILES: missing }, join(dir, 'spec.json'), '--backend', 'webgpu');
    expect(code).toBe(2);
    expect(stderr).toContain('No WebGPU adapter');
    expect(stderr).toContain(missing);
  });
});
