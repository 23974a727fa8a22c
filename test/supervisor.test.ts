/**
 * The supervisor's heartbeat and recovery policy (ui/training/supervisor.ts): silence counts from an
 * unanswered ping, never from the last message (a throttled page must not blame its worker); a starting
 * worker gets longer; three failed recoveries in a row give up, and one that catches up starts the count over.
 */
import { describe, expect, it } from 'vitest';
import { MAX_RECOVERIES, RecoveryPolicy, SILENT_MS, STARTING_SILENT_MS, heard, tick, type Watched } from '../src/ui/training/supervisor';

describe('heartbeat', () => {
  it('pings, waits, and calls a worker silent only after an unanswered ping outlives the limit', () => {
    const w: Watched = { unanswered: null, starting: false };
    expect(tick(w, 0)).toBe('ping');
    expect(tick(w, SILENT_MS)).toBe('wait');
    heard(w);
    // A page asleep for a minute pings again rather than blaming the worker.
    expect(tick(w, 60_000)).toBe('ping');
    expect(tick(w, 60_000 + SILENT_MS + 1)).toBe('silent');
  });

  it('gives a starting worker longer', () => {
    const w: Watched = { unanswered: null, starting: true };
    tick(w, 0);
    expect(tick(w, SILENT_MS + 1)).toBe('wait');
    expect(tick(w, STARTING_SILENT_MS + 1)).toBe('silent');
  });
});

describe('recovery policy', () => {
  it('recovers up to three times in a row, then gives up; a recovery that catches up resets the count', () => {
    const policy = new RecoveryPolicy();
    expect(policy.failed()).toBe(1);
    policy.recovered();
    expect([policy.failed(), policy.failed(), policy.failed()]).toEqual([1, 2, 3]);
    expect(MAX_RECOVERIES).toBe(3);
    expect(policy.failed()).toBeNull();
  });
});
