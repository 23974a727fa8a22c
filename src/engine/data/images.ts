/**
 * A labelled image set in the lab's compact binary format (written by scripts/build-digits.mjs, gunzipped
 * by the host that loads it): "IMG1", then u32 little-endian train count, test count, width, height,
 * channels, classes; u8 labels (train, then test); u8 pixels, row-major, channels last.
 */
export interface ImageSet {
  trainCount: number;
  testCount: number;
  width: number;
  height: number;
  channels: number;
  classes: number;
  /** [trainCount + testCount] class ids: the training images first, then the held-out ones. */
  labels: Uint8Array;
  /** [(trainCount + testCount) × height × width × channels], 0–255. */
  pixels: Uint8Array;
}

const HEADER = 28;

export function parseImageSet(bytes: Uint8Array, name: string): ImageSet {
  const fail = (why: string) => new Error(`The data file "${name}" is not an image set: ${why}.`);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw fail('it is still gzipped');
  if (bytes.length < HEADER || String.fromCharCode(...bytes.subarray(0, 4)) !== 'IMG1') throw fail('no IMG1 header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [trainCount, testCount, width, height, channels, classes] = Array.from({ length: 6 }, (_, i) => view.getUint32(4 + 4 * i, true));
  const n = trainCount + testCount;
  const size = width * height * channels;
  if (bytes.length !== HEADER + n + n * size) throw fail(`${bytes.length} bytes where the header promises ${HEADER + n + n * size}`);
  const labels = bytes.subarray(HEADER, HEADER + n);
  for (const label of labels) if (label >= classes) throw fail(`label ${label} is not below ${classes} classes`);
  return { trainCount, testCount, width, height, channels, classes, labels, pixels: bytes.subarray(HEADER + n) };
}
