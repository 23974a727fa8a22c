import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { contentSecurityPolicy } from './scripts/csp';
import { checkPublicUrl } from './src/spec/publicUrl.ts';

// A lab built with VITE_PUBLIC_URL copies links to that address (src/ui/share.ts); a bad one fails the build.
checkPublicUrl(process.env.VITE_PUBLIC_URL);

export default defineConfig({
  // Relative URLs everywhere (scripts, styles, icon, worker, wasm, manifest, service worker), so one build
  // runs from any folder of any static host: /, /lab/, a GitHub Pages project site.
  base: './',
  plugins: [
    react(),
    contentSecurityPolicy(),
    VitePWA({
      // A new version waits until the person chooses to reload (UpdatePrompt), never mid-experiment.
      registerType: 'prompt',
      // Registered from our own bundle (virtual:pwa-register/react): no inline script, so a strict CSP holds.
      injectRegister: false,
      manifest: {
        name: 'SGD Noise Lab',
        short_name: 'Noise Lab',
        description: 'Train neural networks online in your browser and see what SGD noise does.',
        start_url: './',
        scope: './',
        display: 'standalone',
        background_color: '#f9fafb',
        theme_color: '#1f2937',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The app and the wasm binaries it trains with (the manifest and its icons are added by the plugin).
        // The threaded wasm build is never used (backends.ts).
        globPatterns: ['**/*.{js,css,html,wasm}'],
        globIgnores: ['**/*threaded*'],
        // The worker chunk holds tfjs (~2.5 MB).
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        cleanupOutdatedCaches: true,
        // The first service worker controls the page that installed it at once (src/ui/offlineData.ts keeps
        // the data that page loaded). An update still waits for the prompt: it activates only on skipWaiting.
        clientsClaim: true,
        // The data files (6.9 MB of digits, 4 MB of text) are kept on first use, not precached: most
        // experiments never need them. They never change under one name (their builds are reproducible).
        runtimeCaching: [
          {
            urlPattern: ({ url }) => /\/data\/[^/]+$/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: 'lab-data', cacheableResponse: { statuses: [200] } },
          },
        ],
      },
    }),
  ],
  // Module workers (the training worker imports tfjs as ES modules).
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    // The training worker resolves public/data against the folder above its own chunk (fetchAsset).
    assetsDir: 'assets',
    // tfjs alone is ~2 MB minified; it lives only in the worker chunk, never on the main thread.
    chunkSizeWarningLimit: 3000,
  },
  // Note: no COOP/COEP headers on purpose. Cross-origin isolation enables tfjs-wasm's threaded build,
  // which crashes in a minified bundle and gave no speed-up on 2 cores (see PLATFORM.md).
});
