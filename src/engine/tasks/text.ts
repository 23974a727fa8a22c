/**
 * Character-level next-token prediction on a finite text (a shipped corpus or a person's upload). The text
 * is cut into windows of T + 1 characters at stride T, so each character is a target exactly once per pass.
 * One window in HELD_OUT_EVERY, spread evenly, is held out for the probe set; the rest are the training pool.
 *
 * Sample i of stream k is training window perm_k(i), perm_k a keyed permutation of the pool: streams are
 * common random numbers like every other task's, and a stream is finite. Online, a run reads its stream
 * once (the trainer stops it before a second pass: `streamSize`); offline, the training set is the first
 * N windows of its own stream. The probe stream (keyed by the data seed's probe domain) reads the held-out
 * windows instead, cycling if the probe set is larger than they are.
 */
import { Domain, hashKeys } from '../rng';
import { isUpload, UPLOAD_PREFIX } from '../data/assets';
import { checkCorpusSize, decodeCorpus, windowCounts, type Corpus } from '../data/text';
import type { Task } from './task';
import { IndexPermutation, writeWindow } from './sequence';

/** The asset (data/assets.ts) holding a text task's corpus: "kjv" is public/data/kjv.txt; an upload keeps its name. */
export function corpusAsset(corpus: string): string {
  return isUpload(corpus) ? corpus : `${corpus}.txt`;
}

const decoded = new WeakMap<Uint8Array, Corpus>();

/** Decodes a corpus once per loaded file (a 4 MB text takes a noticeable moment). */
export function corpusFrom(bytes: Uint8Array, asset: string): Corpus {
  let corpus = decoded.get(bytes);
  if (!corpus) {
    corpus = decodeCorpus(bytes, isUpload(asset) ? asset.slice(UPLOAD_PREFIX.length) : asset);
    decoded.set(bytes, corpus);
  }
  return corpus;
}

/** A stream read past its last window: a second pass over the text, which online training never takes. */
export class CorpusExhaustedError extends Error {
  constructor(windows: number, context: number, wanted: number) {
    super(
      `The text has ${windows.toLocaleString('en-US')} training windows of ${context + 1} characters and a stream reads each at most once, ` +
        `so there is no sample ${wanted.toLocaleString('en-US')} (offline, choose a training set of at most ${windows.toLocaleString('en-US')}).`,
    );
    this.name = 'CorpusExhaustedError';
  }
}

export class TextTask implements Task {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly loss = 'xent' as const;
  readonly positions: number;
  readonly vocabulary: string;
  /** Training windows: one pass of an online stream. */
  readonly streamSize: number;
  private readonly tokens: Uint8Array;
  /** Start offsets of the training and held-out windows. */
  private readonly trainStarts: Uint32Array;
  private readonly heldOutStarts: Uint32Array;
  private readonly probeKey: number;
  private readonly perms = new Map<number, IndexPermutation>();

  constructor(
    corpus: Corpus,
    label: string,
    private readonly context: number,
    dataSeed: number,
  ) {
    checkCorpusSize(corpus, isUpload(label) ? label.slice(UPLOAD_PREFIX.length) : label, context);
    const V = corpus.vocabulary.length;
    this.tokens = corpus.tokens;
    this.vocabulary = corpus.vocabulary;
    this.inputDim = context;
    this.positions = context;
    this.outputDim = context * V;
    const { windows, train, heldOut } = windowCounts(corpus.tokens.length, context);
    this.trainStarts = new Uint32Array(train);
    this.heldOutStarts = new Uint32Array(heldOut);
    // Held out: window ⌊(j + ½)·W/H⌋ for j < H, spread evenly over the text.
    let h = 0;
    let t = 0;
    for (let w = 0; w < windows; w++) {
      if (h < heldOut && w === Math.floor(((h + 0.5) * windows) / heldOut)) this.heldOutStarts[h++] = w * context;
      else this.trainStarts[t++] = w * context;
    }
    this.streamSize = train;
    this.probeKey = hashKeys(dataSeed, Domain.probe);
  }

  private permutation(key: number, n: number): IndexPermutation {
    let perm = this.perms.get(key);
    if (!perm) {
      perm = new IndexPermutation(n, key);
      this.perms.set(key, perm);
      if (this.perms.size > 256) this.perms.delete(this.perms.keys().next().value!);
    }
    return perm;
  }

  fill(streamKey: number, start: number, count: number, x: Float32Array, y: Float32Array, offset = 0): void {
    const T = this.context;
    const V = this.vocabulary.length;
    const probe = streamKey === this.probeKey;
    const starts = probe ? this.heldOutStarts : this.trainStarts;
    if (!probe && start + count > starts.length) throw new CorpusExhaustedError(starts.length, T, start + count);
    const perm = this.permutation(streamKey, starts.length);
    for (let n = 0; n < count; n++) {
      const i = probe ? (start + n) % starts.length : start + n;
      writeWindow(this.tokens, starts[perm.at(i)], T, V, x, y, offset + n);
    }
  }

  /** The true entropy of English text is unknown: no floor. */
  bayesLoss(): null {
    return null;
  }
}
