/**
 * Keeps every shipped data file this page has loaded in the service worker's cache ('lab-data', cache
 * first: vite.config.ts), so a lab that trained on the digits once trains on them with no network.
 *
 * The training worker's own fetch goes through the service worker only when the worker was started under
 * its control. On a first visit the service worker installs while the lab already runs, so the page asks for
 * each loaded file once more through the service worker when it controls the page: a cache hit when the
 * worker's fetch was already kept, else one more request (usually answered by the browser's HTTP cache).
 */
import { useRuns } from './stores/runs';

const loaded = new Set<string>();
const kept = new Set<string>();

function keepLoaded(): void {
  if (!navigator.serviceWorker.controller) return;
  for (const name of loaded) {
    if (kept.has(name)) continue;
    kept.add(name);
    // Relative to the page, like the worker's data URL: the app's folder + data/.
    fetch(new URL(`data/${name}`, document.baseURI)).catch(() => kept.delete(name));
  }
}

export function keepLoadedDataOffline(): void {
  if (!('serviceWorker' in navigator)) return;
  useRuns.subscribe((state, prev) => {
    // A file has finished (or failed) loading when the progress moves off it; a failed one is not cached.
    if (prev.dataLoading && prev.dataLoading.name !== state.dataLoading?.name) {
      loaded.add(prev.dataLoading.name);
      keepLoaded();
    }
  });
  // clientsClaim (vite.config.ts): the first service worker takes control of the page that installed it.
  navigator.serviceWorker.addEventListener('controllerchange', keepLoaded);
}
