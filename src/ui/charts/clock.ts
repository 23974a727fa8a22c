/**
 * When the charts redraw. The worker reports up to 10 times a second; redrawing every chart (recharts' axes
 * and our paths, seven charts) on each report kept the main thread busy most of the time on a 2-core
 * machine, in tasks of 200 ms and more that froze hovering. So the charts follow one clock instead: a tick
 * brings each chart, one after the other, to the newest metrics version; the next tick comes `interval` ms
 * after the last began, where the interval is 4× what the redraws of the last tick took (charts then take
 * at most about a fifth of the main thread), between 100 ms and 2 s.
 * The page runs each chart's redraw as a React transition (charts/data.ts): React renders it in slices of a
 * few milliseconds with input and painting in between, so one chart's redraw is no longer one long task (a
 * 16-run sweep in seed groups made tasks of 50–80 ms). One chart at a time, because a transition over all
 * of them took long enough that the run table's 10-per-second updates kept interrupting and restarting it.
 * No React here: the clock is tested with fake timers (test/chartClock.test.ts).
 */
const MIN_INTERVAL = 100;
const MAX_INTERVAL = 2000;
const COST_FACTOR = 4;

export interface ClockSource {
  /** The newest metrics version. */
  version: () => number;
  /** Calls `listener` whenever the metrics change. */
  subscribe: (listener: () => void) => void;
  /** Runs a chart's redraw (the page: React's startTransition). */
  redraw: (draw: () => void) => void;
  now: () => number;
}

/** A chart on the clock: the version it has drawn, and how to bring it to another. */
export class ChartSlot {
  drawn = -1;
  constructor(
    private readonly clock: ChartClock,
    readonly draw: (version: number) => void,
  ) {}

  /** The chart is on the page (mounted): it is redrawn from the next tick on. */
  joined(): void {
    this.clock.join(this);
  }

  /** The chart has committed `version`: the clock goes on to the next chart. */
  committed(version: number): void {
    this.drawn = version;
    this.clock.committed(this, version);
  }

  /** The chart has left the page. */
  left(): void {
    this.clock.left(this);
  }
}

export class ChartClock {
  /** The charts on the page, in mount order. */
  private readonly slots = new Set<ChartSlot>();
  private interval = MIN_INTERVAL;
  private lastTick = -Infinity;
  private drawnVersion = -1;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticking = false;
  /** The chart being redrawn in this tick, and what to do once it has drawn (or left the page). */
  private awaited: { slot: ChartSlot; version: number; done: () => void } | null = null;

  constructor(private readonly source: ClockSource) {
    source.subscribe(() => this.schedule());
  }

  /** A slot for a chart, on the clock once it has joined (a chart joins once mounted, not while rendering). */
  slot(draw: (version: number) => void): ChartSlot {
    return new ChartSlot(this, draw);
  }

  join(slot: ChartSlot): void {
    this.slots.add(slot);
  }

  /** The interval between ticks now, in ms. */
  get period(): number {
    return this.interval;
  }

  committed(slot: ChartSlot, version: number): void {
    if (this.awaited?.slot === slot && this.awaited.version === version) this.awaited.done();
  }

  left(slot: ChartSlot): void {
    this.slots.delete(slot);
    if (this.awaited?.slot === slot) this.awaited.done();
  }

  private schedule(): void {
    if (this.timer !== null || this.ticking || this.source.version() === this.drawnVersion) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.lastTick + this.interval - this.source.now()));
  }

  private tick(): void {
    this.timer = null;
    this.ticking = true;
    this.lastTick = this.source.now();
    const version = this.source.version();
    const queue = [...this.slots];
    let cost = 0;
    const next = (): void => {
      const slot = queue.shift();
      if (slot === undefined) {
        this.ticking = false;
        this.drawnVersion = version;
        this.interval = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, COST_FACTOR * cost));
        return this.schedule();
      }
      if (!this.slots.has(slot) || slot.drawn === version) return next();
      const t0 = this.source.now();
      this.awaited = {
        slot,
        version,
        done: () => {
          this.awaited = null;
          // The cost runs to the next task: it takes in what the commit set off (recharts' own updates).
          setTimeout(() => {
            cost += this.source.now() - t0;
            next();
          }, 0);
        },
      };
      this.source.redraw(() => slot.draw(version));
    };
    next();
  }
}
