/**
 * Text for the character-level language task: bytes (a shipped corpus or a person's .txt upload) decoded,
 * checked and turned into token ids. Pure functions, so the same checks run in the page (before an upload
 * is accepted), in the worker and in the headless runner. A token is one Unicode character; the vocabulary
 * is the sorted set of characters the text uses.
 */
import { UPLOAD_PREFIX } from './assets';

/** The largest text accepted (an upload stays in the page's and the worker's memory). */
export const MAX_TEXT_BYTES = 8 * 1024 * 1024;
/** The most distinct characters a text may use (the model's output layer has one logit per character). */
export const MAX_VOCABULARY = 128;
/** The fewest training windows a text must give (a probe set is cut from it too). */
export const MIN_WINDOWS = 64;
/** One window in this many is held out for the probe set. */
export const HELD_OUT_EVERY = 20;

export interface Corpus {
  /** Token ids, one per character. */
  tokens: Uint8Array;
  /** The character of each token id, sorted by code point. */
  vocabulary: string;
}

/** A text that cannot be used, with a message that says why and what to do. */
export class TextDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextDataError';
  }
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Decodes UTF-8 text into tokens. Line endings become "\n"; a leading byte-order mark is dropped. Throws
 * TextDataError for an empty, binary (NUL bytes, invalid UTF-8, or many control characters), too large,
 * or too varied (over MAX_VOCABULARY distinct characters) file.
 */
export function decodeCorpus(bytes: Uint8Array, label: string): Corpus {
  if (bytes.length === 0) throw new TextDataError(`"${label}" is empty.`);
  if (bytes.length > MAX_TEXT_BYTES) throw new TextDataError(`"${label}" is ${megabytes(bytes.length)}; a text may be at most ${megabytes(MAX_TEXT_BYTES)}.`);
  const binary = `"${label}" does not look like text (a .txt file in UTF-8 is needed).`;
  if (bytes.includes(0)) throw new TextDataError(binary);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new TextDataError(binary);
  }
  text = text.replace(/\r\n?/g, '\n');
  const ids = new Map<string, number>();
  let controls = 0;
  let length = 0;
  for (const ch of text) {
    length++;
    if (!ids.has(ch)) ids.set(ch, 0);
    const code = ch.codePointAt(0)!;
    if ((code < 32 && ch !== '\n' && ch !== '\t') || code === 127) controls++;
  }
  if (length === 0) throw new TextDataError(`"${label}" is empty.`);
  if (controls > length / 100) throw new TextDataError(binary);
  if (ids.size > MAX_VOCABULARY) {
    throw new TextDataError(`"${label}" uses ${ids.size} different characters; at most ${MAX_VOCABULARY} are supported (a character-level model needs one output per character).`);
  }
  const vocabulary = [...ids.keys()].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
  vocabulary.forEach((ch, i) => ids.set(ch, i));
  const tokens = new Uint8Array(length);
  let i = 0;
  for (const ch of text) tokens[i++] = ids.get(ch)!;
  return { tokens, vocabulary: vocabulary.join('') };
}

/** How a corpus splits into windows of context + 1 characters (stride context: each character is a target once). */
export function windowCounts(characters: number, context: number): { windows: number; train: number; heldOut: number } {
  const windows = Math.max(0, Math.floor((characters - 1) / context));
  const heldOut = windows === 0 ? 0 : Math.max(1, Math.floor(windows / HELD_OUT_EVERY));
  return { windows, train: windows - heldOut, heldOut };
}

/** The fewest characters that give at least `trainWindows` training windows at this context. */
export function minCharacters(context: number, trainWindows = MIN_WINDOWS): number {
  let windows = trainWindows;
  while (windowCounts(windows * context + 1, context).train < trainWindows) windows++;
  return windows * context + 1;
}

/**
 * Checks that a decoded corpus is long enough for the experiment: at least MIN_WINDOWS training windows,
 * and at least one batch of the largest batch size. Throws TextDataError with the numbers.
 */
export function checkCorpusSize(corpus: Corpus, label: string, context: number, largestBatch = 1): void {
  const { train } = windowCounts(corpus.tokens.length, context);
  const need = Math.max(MIN_WINDOWS, largestBatch);
  if (train < need) {
    throw new TextDataError(
      `"${label}" has ${corpus.tokens.length.toLocaleString('en-US')} characters: ${train} training windows of ${context + 1} characters, too few ` +
        `for ${largestBatch > MIN_WINDOWS ? `a batch of ${largestBatch}` : 'training'}; it needs at least ${minCharacters(context, need).toLocaleString('en-US')} characters.`,
    );
  }
}

/** What a link may name: up to 100 characters, no slashes and no control characters. */
// eslint-disable-next-line no-control-regex
export const UPLOAD_FILE_NAME = /^[^/\\\u0000-\u001f]{1,96}\.[tT][xX][tT]$/;

export interface UploadCheck {
  corpus: Corpus;
  /** Training windows of one pass (online runs stop after this many samples). */
  trainWindows: number;
  /** Online: each run's steps before its pass over the text ends, by batch size (only those short of the budget). */
  shortRuns: { batchSize: number; steps: number }[];
}

/** The asset name of an upload: "upload:<file name>". */
export function uploadName(fileName: string): string {
  return UPLOAD_PREFIX + fileName;
}

/**
 * Validates a .txt upload for an experiment (its context, batch sizes and step budget), as the page does
 * before it accepts the file: the name, the bytes (decodeCorpus) and the length (checkCorpusSize).
 */
export function checkUpload(fileName: string, bytes: Uint8Array, experiment: { context: number; batchSizes: number[]; budgetSteps: number }): UploadCheck {
  if (!/\.txt$/i.test(fileName)) throw new TextDataError(`"${fileName}" is not a .txt file.`);
  if (fileName.length > 100 || !UPLOAD_FILE_NAME.test(fileName)) throw new TextDataError(`The file name "${fileName}" is too long or has characters a link cannot name; rename the file.`);
  const corpus = decodeCorpus(bytes, fileName);
  checkCorpusSize(corpus, fileName, experiment.context, Math.max(1, ...experiment.batchSizes));
  const { train } = windowCounts(corpus.tokens.length, experiment.context);
  const shortRuns = [...new Set(experiment.batchSizes)]
    .sort((a, b) => a - b)
    .map((batchSize) => ({ batchSize, steps: Math.floor(train / batchSize) }))
    .filter((r) => r.steps < experiment.budgetSteps);
  return { corpus, trainWindows: train, shortRuns };
}
