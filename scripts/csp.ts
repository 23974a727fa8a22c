/**
 * The lab's Content-Security-Policy, and the Vite plugin that writes it into the built index.html as a
 * <meta http-equiv> (so it holds on any static host). Everything comes from the lab's own origin:
 *   - script-src 'wasm-unsafe-eval': tfjs-wasm compiles its .wasm (served by us); nothing is ever eval'd,
 *   - img-src data:: a chart's PNG export draws the chart's SVG through a data: URL into a canvas,
 *   - worker-src / manifest-src 'self': the training worker, and a service worker and web manifest if any.
 * No blob: anywhere: tfjs-wasm's threaded build (which starts workers from blobs) is never used.
 * Only the build gets it: Vite's dev server injects React's refresh preamble as an inline script, which the
 * policy forbids, so `npm start` serves the page without one (the e2e suite runs against the build).
 * frame-ancestors cannot be set by a <meta>; the README lists the policy as HTTP headers for hosts that can.
 */
import type { Plugin } from 'vite';

export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
};

export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([name, sources]) => `${name} ${sources.join(' ')}`)
  .join('; ');

export function contentSecurityPolicy(): Plugin {
  return {
    name: 'sgd-lab:content-security-policy',
    apply: 'build',
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' }],
  };
}
