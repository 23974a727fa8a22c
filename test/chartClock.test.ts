import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChartClock, type ChartSlot } from '../src/ui/charts/clock';

/**
 * The charts' clock with fake timers: a metrics store whose version the test bumps, and charts that
 * "render" when the clock redraws them and commit when the test says so (as React's effect would).
 */
function setup() {
  let version = 0;
  const listeners: Array<() => void> = [];
  const log: string[] = [];
  const clock = new ChartClock({
    version: () => version,
    subscribe: (l) => listeners.push(l),
    redraw: (draw) => draw(),
    now: () => Date.now(),
  });
  const charts = new Map<string, { slot: ChartSlot; asked: number[] }>();
  const chart = (name: string) => {
    const asked: number[] = [];
    const slot = clock.slot((v) => {
      asked.push(v);
      log.push(`${name}@${v}`);
    });
    slot.joined();
    charts.set(name, { slot, asked });
    return slot;
  };
  const bump = () => {
    version++;
    listeners.forEach((l) => l());
  };
  return { clock, chart, charts, bump, log };
}

describe('the charts’ clock', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('redraws one chart at a time, the next only once the last has committed, in mount order', () => {
    const { chart, bump, log } = setup();
    const a = chart('a');
    const b = chart('b');
    bump();
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['a@1']); // b waits for a's commit
    vi.advanceTimersByTime(1000);
    expect(log).toEqual(['a@1']);
    a.committed(1);
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['a@1', 'b@1']);
    b.committed(1);
    vi.advanceTimersByTime(0);
    // Nothing new: no further redraw until the metrics change.
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(['a@1', 'b@1']);
  });

  it('brings every chart to the newest version of the tick, skipping versions in between', () => {
    const { chart, bump, log } = setup();
    const a = chart('a');
    bump();
    vi.advanceTimersByTime(0);
    bump();
    bump(); // while a redraws version 1
    a.committed(1);
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(['a@1', 'a@3']);
  });

  it('goes on when the chart it waits for leaves the page, and never redraws it again', () => {
    const { chart, bump, log } = setup();
    const a = chart('a');
    const b = chart('b');
    bump();
    vi.advanceTimersByTime(0);
    a.left();
    vi.advanceTimersByTime(0);
    expect(log).toEqual(['a@1', 'b@1']);
    b.committed(1);
    bump();
    vi.advanceTimersByTime(5000);
    expect(log).toEqual(['a@1', 'b@1', 'b@2']);
  });

  it('skips a chart that has already drawn the version (mounted after the metrics changed)', () => {
    const { chart, bump, log } = setup();
    const a = chart('a');
    a.committed(1);
    bump();
    vi.advanceTimersByTime(5000);
    expect(log).toEqual([]);
  });

  it('spaces ticks by four times what the last one cost, between 100 ms and 2 s', () => {
    const { clock, chart, bump, log } = setup();
    const a = chart('a');
    expect(clock.period).toBe(100);
    bump();
    vi.advanceTimersByTime(0);
    vi.advanceTimersByTime(150); // the redraw takes 150 ms
    a.committed(1);
    vi.advanceTimersByTime(0);
    expect(clock.period).toBe(600);
    bump();
    vi.advanceTimersByTime(400);
    expect(log).toEqual(['a@1']); // 600 ms after the last tick began, not before
    vi.advanceTimersByTime(250);
    expect(log).toEqual(['a@1', 'a@2']);
    vi.advanceTimersByTime(10_000); // a redraw that never commits in time is still waited for…
    a.committed(2);
    vi.advanceTimersByTime(0);
    expect(clock.period).toBe(2000); // …and the interval is capped
  });
});
