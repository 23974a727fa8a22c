/**
 * tfjs's WebGPU backend in Node, through Dawn's Node bindings (the optional npm package `webgpu`). Dawn
 * needs a Vulkan driver: a GPU's own, or without one the SwiftShader driver that Debian's Chromium ships
 * (VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json). Loaded only for `--backend webgpu`, so the
 * package stays out of every other path (and out of the page, which never imports src/cli).
 */
import * as tf from '../engine/tf';
import { UsageError } from './args';

/** The package's entry: `create(flags)` makes a GPU object (navigator.gpu); `globals` holds the GPU* classes. */
interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

export const INSTALL_HINT = 'npm install webgpu@0.6.2 (an optional dependency: `npm install` fetches it unless optional packages are omitted)';

/**
 * Makes navigator.gpu from Dawn, checks that an adapter exists, then registers tfjs's WebGPU backend and
 * selects it. Returns the adapter's description. No package or no adapter: a UsageError (exit code 2) that
 * says what to do.
 */
export async function startWebGpu(): Promise<string> {
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (err) {
    throw new UsageError(`--backend webgpu needs the package "webgpu" (Dawn's Node bindings), which could not be loaded (${(err as Error).message.split('\n')[0]}). Install it: ${INSTALL_HINT}.`);
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  // Node 20 has no navigator; Node 21+ has one whose gpu is missing. tfjs-backend-webgpu reads navigator.gpu.
  Object.defineProperty(globalThis, 'navigator', { value: { ...globalThis.navigator, gpu }, configurable: true, writable: true });
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    const drivers = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
    throw new UsageError(
      `No WebGPU adapter: Dawn found no usable Vulkan driver${drivers ? ` (VK_DRIVER_FILES=${drivers})` : ''}. ` +
        'It needs the Vulkan loader libvulkan.so.1 (Debian: apt-get install libvulkan1; Chromium ships one, so ' +
        'LD_LIBRARY_PATH=/usr/lib/chromium works too) and a driver: on a machine with a GPU its own; without one, a ' +
        "software driver such as Chromium's SwiftShader: VK_DRIVER_FILES=/usr/lib/chromium/vk_swiftshader_icd.json.",
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('the webgpu backend failed to initialise although an adapter was found');
  const info = adapter.info;
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'unknown adapter';
}
