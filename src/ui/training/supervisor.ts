/**
 * Watching the training workers: a heartbeat (the page pings each worker every second; the worker answers
 * from its event loop, between training chunks) and the policy for failures. A worker that errors out,
 * dies or stays silent is replaced by the pool (pool.ts) with one that restores its runs; three failed
 * recoveries in a row stop training.
 */

/**
 * A ping unanswered this long means the worker is stuck or gone: a healthy one answers between chunks,
 * which aim at 40 ms of compute, so 3 s is ample even on a loaded machine and leaves most of the 10 s
 * a recovery may take for the replacement to start and replay.
 */
export const SILENT_MS = 3000;
/**
 * While a worker starts (backend self-test, data files, the first step, which compiles kernels on GPU
 * backends: seconds on a software adapter) its event loop may be busy for long: it gets this long.
 */
export const STARTING_SILENT_MS = 30_000;
export const PING_EVERY_MS = 1000;
/** Recoveries that may fail in a row before training stops. */
export const MAX_RECOVERIES = 3;

export interface Watched {
  /** When the oldest unanswered ping was sent, or null when every ping was answered. */
  unanswered: number | null;
  /** Until its first training step the worker may be silent for longer (STARTING_SILENT_MS). */
  starting: boolean;
}

/** Heard from the worker (any message counts as a heartbeat). */
export function heard(watched: Watched): void {
  watched.unanswered = null;
}

/**
 * One heartbeat tick: whether the worker has been silent too long (then it is replaced), else whether to
 * ping it now. Silence is measured from an unanswered ping, never from the last message, so a page whose
 * timers were throttled (a hidden tab) does not mistake its own sleep for the worker's.
 */
export function tick(watched: Watched, now: number): 'silent' | 'ping' | 'wait' {
  if (watched.unanswered === null) {
    watched.unanswered = now;
    return 'ping';
  }
  return now - watched.unanswered > (watched.starting ? STARTING_SILENT_MS : SILENT_MS) ? 'silent' : 'wait';
}

/** Counts recoveries that failed in a row: a replacement that catches up resets it. */
export class RecoveryPolicy {
  private inARow = 0;

  /** A worker failed: recover (returns the attempt number), or give up (null) after MAX_RECOVERIES. */
  failed(): number | null {
    if (this.inARow >= MAX_RECOVERIES) return null;
    return ++this.inARow;
  }

  recovered(): void {
    this.inARow = 0;
  }
}
