/**
 * Where copied links point. By default, the page's own address (host, folder, query such as ?backend=),
 * so a lab served from https://example.org/lab/ hands out links to https://example.org/lab/. A lab built
 * with VITE_PUBLIC_URL (the address of its hosted copy) hands out links to that address instead, even
 * while it runs on 127.0.0.1: a link is only data in its fragment, so any deployment of the same version
 * opens it.
 */

/**
 * The public URL, checked: an absolute http(s) address without a fragment (the link's payload goes there).
 * Absent or empty: null. Anything else throws with the reason (vite.config.ts fails the build with it).
 */
export function checkPublicUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new Error(`VITE_PUBLIC_URL "${raw}" is not an absolute URL (e.g. https://you.github.io/sgd-noise-lab/).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`VITE_PUBLIC_URL "${raw}" must be an http or https address.`);
  if (url.hash) throw new Error(`VITE_PUBLIC_URL "${raw}" must not have a fragment (#…): the link's experiment goes there.`);
  return url.href;
}

/** The address a copied link is built on: the public URL when there is one, else the page's own (fragment dropped). */
export function shareBase(pageHref: string, publicUrl: string | null): string {
  return publicUrl ?? pageHref.split('#')[0];
}

/**
 * Whether links go somewhere other than this page: true when a public URL is set and this page is not
 * served from it (the lab says so beside *Copy link*).
 */
export function linksLeavePage(pageHref: string, publicUrl: string | null): boolean {
  if (publicUrl === null) return false;
  const page = new URL(pageHref);
  const target = new URL(publicUrl);
  return page.origin !== target.origin || !page.pathname.startsWith(target.pathname.replace(/[^/]*$/, ''));
}
