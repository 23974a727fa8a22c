/**
 * The service worker (vite-plugin-pwa, Workbox) from the page's side: says once that the lab is stored for
 * offline use, and offers a newly deployed version instead of swapping it in under a running experiment.
 * The new version waits until the person chooses to reload; the experiment is saved, so the reload reopens
 * it (paused at its last checkpoint).
 */
import { useRegisterSW } from 'virtual:pwa-register/react';

/** A tab left open for a lesson still hears of a new version (browsers also check on every navigation). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function UpdatePrompt() {
  const {
    needRefresh: [needRefresh, setNeedRefresh],
    offlineReady: [offlineReady, setOfflineReady],
    updateServiceWorker,
  } = useRegisterSW({
    onRegisteredSW(_url, registration) {
      if (registration) setInterval(() => void registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
    // No service worker (an old browser, a private window): the lab still works, only not offline.
    onRegisterError: (error: unknown) => console.warn('The lab cannot be kept for offline use:', error),
    // The reload is ours (reloadIntoNewVersion): the plugin reloads only when the page was controlled at its
    // start, not in the tab that first installed the lab.
    onNeedReload: () => undefined,
  });

  function reloadIntoNewVersion() {
    navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
    void updateServiceWorker();
  }

  if (needRefresh) {
    return (
      <div className="notice" role="status" data-testid="update-prompt">
        <span>A new version of the lab is ready. Your experiment is saved: reloading reopens it, paused at its last checkpoint.</span>
        <span className="notice-actions">
          <button type="button" className="primary" onClick={reloadIntoNewVersion} data-testid="update-reload">
            Reload now
          </button>
          <button type="button" onClick={() => setNeedRefresh(false)}>
            Later
          </button>
        </span>
      </div>
    );
  }
  if (offlineReady) {
    return (
      <div className="notice" role="status" data-testid="offline-ready">
        <span>The lab is stored on this device: it now opens and trains without a network (the digits and text data once they have been loaded).</span>
        <button type="button" onClick={() => setOfflineReady(false)}>
          OK
        </button>
      </div>
    );
  }
  return null;
}
