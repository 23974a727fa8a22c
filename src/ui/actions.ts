/** What a person's actions do: each updates the stores, tells the worker, and keeps the URL in step. */
import { decodeLink, linkUrl, type LinkState } from '../spec/link';
import { defaultSpec, type ExperimentSpec } from '../spec/schema';
import type { BackendChoice } from '../worker/protocol';
import { applyDraft, setSpec, useExperiment } from './stores/experiment';
import { useView } from './stores/view';
import { training } from './trainingClient';

export function currentLink(autorun = false): string {
  const state: LinkState = { spec: useExperiment.getState().spec, view: useView.getState(), autorun };
  return linkUrl(location.href, state);
}

/** Keeps the address bar equal to the experiment, so a reload reopens it (paused, waiting for Run). */
export function syncUrl(): void {
  history.replaceState(null, '', currentLink());
}

export function applyExperiment(): ExperimentSpec | null {
  const spec = applyDraft();
  if (spec) {
    training.update(spec);
    syncUrl();
  }
  return spec;
}

/** The backend asked for by `?backend=` (for tests, benchmarks and people who know what they want). */
export function requestedBackend(): BackendChoice {
  const asked = new URLSearchParams(location.search).get('backend');
  return asked === 'webgpu' || asked === 'webgl' || asked === 'wasm' || asked === 'cpu' ? asked : 'auto';
}

/**
 * Opens the experiment in the URL, or the default one. A bad link opens the default experiment with a
 * notice saying what was wrong; the default experiment (no link) starts training at once.
 */
export function openFromUrl(): void {
  let autorun = true;
  if (location.hash.length > 1) {
    const decoded = decodeLink(location.href);
    if (decoded.ok) {
      setSpec(decoded.state.spec, null);
      useView.setState(decoded.state.view);
      autorun = decoded.state.autorun;
    } else {
      setSpec(defaultSpec(), `${decoded.error} The default experiment opened instead.`);
    }
  }
  training.load(useExperiment.getState().spec, requestedBackend(), autorun);
}

export function switchBackend(choice: BackendChoice): void {
  const url = new URL(location.href);
  if (choice === 'auto') url.searchParams.delete('backend');
  else url.searchParams.set('backend', choice);
  history.replaceState(null, '', url);
  training.load(useExperiment.getState().spec, choice, true);
}
