/**
 * Link format versions and the upgrades between them. Every link ever made carries its format version `v`;
 * decoding upgrades an older envelope one version at a time to the current one, so a link from the first
 * lab opens in every later lab. A link from a newer lab is refused (by the codec) rather than misread.
 *
 * v1 (the first lab): { v: 1, s: spec, w: view (xAxis, logX, logY, smoothing), run?: 1 }.
 * v2: adds to the view the noise panel's log-y and the hidden panels, and classroom mode { c: { hide } }.
 *     A v1 link reads as v2 unchanged: its noise panel was always log-y (the v2 default), every panel was
 *     shown, and there was no classroom mode. The version moved to 2 so that a v2 link opened in a v1 lab
 *     is refused ("made by a newer version") instead of silently losing its classroom flags.
 */

export const LINK_VERSION = 2;

/** The envelope as decoded, before its parts are validated. */
export interface RawEnvelope {
  v: number;
  s?: unknown;
  w?: unknown;
  run?: 1;
  c?: unknown;
  [key: string]: unknown;
}

/** upgrades[n] turns a version-n envelope into a version-(n+1) one. */
const upgrades: Record<number, (e: RawEnvelope) => RawEnvelope> = {
  1: (e) => ({ ...e, v: 2 }),
};

/** Upgrades an envelope of any version up to LINK_VERSION (newer ones are returned unchanged). */
export function migrateEnvelope(envelope: RawEnvelope): RawEnvelope {
  let e = envelope;
  while (e.v < LINK_VERSION) {
    const upgrade = upgrades[e.v];
    if (!upgrade) throw new Error(`no upgrade from link format v${e.v}`);
    e = upgrade(e);
  }
  return e;
}
