import { describe, expect, it } from 'vitest';
import { decodeLink, linkUrl, type LinkState } from '../src/spec/link';
import { checkPublicUrl, linksLeavePage, shareBase } from '../src/spec/publicUrl';
import { ExperimentSpec } from '../src/spec/schema';
import { defaultView } from '../src/spec/view';

describe('public URL of a hosted lab', () => {
  it('accepts an absolute http(s) address and refuses anything else with the reason', () => {
    expect(checkPublicUrl(undefined)).toBeNull();
    expect(checkPublicUrl('  ')).toBeNull();
    expect(checkPublicUrl('https://you.github.io/sgd-noise-lab/')).toBe('https://you.github.io/sgd-noise-lab/');
    expect(checkPublicUrl(' https://lab.example ')).toBe('https://lab.example/');
    expect(() => checkPublicUrl('/sgd-noise-lab/')).toThrow('not an absolute URL');
    expect(() => checkPublicUrl('ftp://lab.example/')).toThrow('must be an http or https address');
    expect(() => checkPublicUrl('https://lab.example/#e=x')).toThrow('must not have a fragment');
  });

  it("links are built on the page's own address (folder and query), or on the public URL when there is one", () => {
    const page = 'http://127.0.0.1:5173/lab/?backend=wasm#e=old&s=abc';
    expect(shareBase(page, null)).toBe('http://127.0.0.1:5173/lab/?backend=wasm');
    expect(shareBase(page, 'https://you.github.io/sgd-noise-lab/')).toBe('https://you.github.io/sgd-noise-lab/');
  });

  it('says links leave the page only when the page is not served from the public URL', () => {
    const hosted = 'https://you.github.io/sgd-noise-lab/';
    expect(linksLeavePage('http://127.0.0.1:5173/', null)).toBe(false);
    expect(linksLeavePage('http://127.0.0.1:5173/', hosted)).toBe(true);
    expect(linksLeavePage('https://you.github.io/other/', hosted)).toBe(true);
    expect(linksLeavePage('https://you.github.io/sgd-noise-lab/?backend=cpu#e=x', hosted)).toBe(false);
    expect(linksLeavePage('https://you.github.io/sgd-noise-lab/index.html', 'https://you.github.io/sgd-noise-lab/index.html')).toBe(false);
  });

  it('a link made for one deployment opens the same experiment from any other address', () => {
    const state: LinkState = {
      spec: ExperimentSpec.parse({ runs: [{ id: 'a', batchSize: 8, learningRate: 0.05 }] }),
      view: defaultView(),
      autorun: false,
    };
    const hosted = linkUrl(shareBase('http://127.0.0.1:5173/#e=x', 'https://you.github.io/sgd-noise-lab/'), state);
    expect(hosted.startsWith('https://you.github.io/sgd-noise-lab/#e=')).toBe(true);
    // The experiment lives in the fragment only: moved to another host and folder it decodes the same.
    const moved = `http://classroom.local/lab/${hosted.slice(hosted.indexOf('#'))}`;
    expect(decodeLink(moved)).toEqual({ ok: true, state });
    expect(decodeLink(hosted)).toEqual({ ok: true, state });
  });
});
