/**
 * Backend selection inside the worker: registers webgpu and wasm next to tfjs's webgl and cpu, then tries
 * them in order, self-testing each against cpu, and reports which one runs and why others were skipped.
 */
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { SELF_TEST_TOLERANCE, selfTest } from './selfTest';
import * as tf from '../engine/tf';
import type { BackendChoice, BackendInfo, BackendName } from './protocol';

// The wasm binaries must be served by us (Vite emits them as assets); the threaded build crashes when
// minified and gained nothing on 2 cores (PLATFORM.md), so it is never used.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);

const PREFERENCE: BackendName[] = ['webgpu', 'wasm', 'webgl', 'cpu'];

interface AdapterFacts {
  description: string;
  software: boolean;
}

async function webgpuAdapter(): Promise<AdapterFacts | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const software = Boolean(info.isFallbackAdapter ?? legacy) || info.architecture === 'swiftshader';
  const description = [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ');
  return { description: description || 'unnamed adapter', software };
}

/** Stacking runs along the run axis fills a GPU; on wasm it measured slower at B = 64 (PLATFORM.md). */
function groupsRuns(name: BackendName): boolean {
  return name === 'webgpu' || name === 'webgl';
}

/**
 * Initialises one backend and self-tests it against cpu; returns what runs, or null with the reason added
 * to `notices`. Under 'auto' a software WebGPU adapter is skipped (wasm is faster without a GPU; the race
 * of ui/training/race.ts still measures it by name).
 */
export async function tryBackend(name: BackendName, requested: BackendChoice, notices: string[]): Promise<BackendInfo | null> {
  let adapter: AdapterFacts | null = null;
  if (name === 'webgpu') {
    adapter = await webgpuAdapter().catch(() => null);
    if (!adapter) {
      notices.push('webgpu: this browser offers no WebGPU adapter');
      return null;
    }
    if (adapter.software && requested === 'auto') {
      notices.push(`webgpu: skipped, the adapter is a software fallback (${adapter.description}); wasm is faster without a GPU`);
      return null;
    }
  }
  try {
    const error = await selfTest(name, groupsRuns(name));
    if (!(error <= SELF_TEST_TOLERANCE)) {
      notices.push(`${name}: failed the self-test (losses differ from cpu by ${error.toExponential(1)})`);
      return null;
    }
  } catch (err) {
    notices.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  return { name, requested, adapter: adapter?.description ?? null, softwareAdapter: adapter?.software ?? false, groupedRuns: groupsRuns(name), notices };
}

/**
 * Initialises the requested backend, or the best working one for 'auto': a hardware WebGPU adapter first,
 * else wasm (the fastest where WebGPU would be software-emulated), then webgl, then cpu. A requested one
 * that fails falls back along the same order.
 */
export async function chooseBackend(requested: BackendChoice): Promise<BackendInfo> {
  const order = requested === 'auto' ? PREFERENCE : [requested, ...PREFERENCE.filter((b) => b !== requested)];
  const notices: string[] = [];
  for (const name of order) {
    const info = await tryBackend(name, requested, notices);
    if (info) return info;
  }
  throw new Error(`No backend could train here: ${notices.join('; ')}`);
}

/**
 * WebGPU validation errors are not thrown (PLATFORM.md): an invalid pipeline silently drops a whole batch
 * of kernels. Route every uncaptured error and a lost device to `report`.
 */
const watchedDevices = new WeakSet<GPUDevice>();

export function watchGpuErrors(report: (message: string) => void): void {
  if (tf.getBackend() !== 'webgpu') return;
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  if (watchedDevices.has(device)) return; // tfjs keeps one device across reloads of the trainer
  watchedDevices.add(device);
  device.addEventListener('uncapturederror', (event) => {
    report(`WebGPU error: ${(event as GPUUncapturedErrorEvent).error.message}`);
  });
  void device.lost.then((info) => report(`WebGPU device lost (${info.reason}): ${info.message}`));
}
