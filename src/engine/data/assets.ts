/**
 * Data files a task needs (a shipped dataset, a text corpus, a person's upload) as bytes keyed by name.
 * The engine never fetches anything: whoever hosts it (the worker, the headless runner, a test) loads the
 * files a task names (`assetsFor` in tasks/index.ts) into this map before the task is created. Shipped
 * files live under public/data/<name>; uploads are named "upload:<file name>" and exist only on the device.
 */
export type Assets = Map<string, Uint8Array>;

export const UPLOAD_PREFIX = 'upload:';

export function isUpload(name: string): boolean {
  return name.startsWith(UPLOAD_PREFIX);
}

export class MissingAssetError extends Error {
  constructor(readonly asset: string) {
    super(
      isUpload(asset)
        ? `This experiment trains on your file "${asset.slice(UPLOAD_PREFIX.length)}", which stays on the device that uploaded it: upload it again to run.`
        : `The data file "${asset}" is not loaded.`,
    );
    this.name = 'MissingAssetError';
  }
}

export function requireAsset(assets: Assets, name: string): Uint8Array {
  const bytes = assets.get(name);
  if (!bytes) throw new MissingAssetError(name);
  return bytes;
}
