import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { contentSecurityPolicy } from './scripts/csp';

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  // Module workers (the training worker imports tfjs as ES modules).
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // tfjs alone is ~2 MB minified; it lives only in the worker chunk, never on the main thread.
    chunkSizeWarningLimit: 3000,
  },
  // Note: no COOP/COEP headers on purpose. Cross-origin isolation enables tfjs-wasm's threaded build,
  // which crashes in a minified bundle and gave no speed-up on 2 cores (see PLATFORM.md).
});
