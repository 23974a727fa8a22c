/** What the page knows of its training workers: how many, what happened to them, and their size setting. */
import { create } from 'zustand';

const WORKERS_KEY = 'sgd-lab:workers';

/** One worker per core, leaving one for the page (charts, input); at least one. */
export function defaultWorkers(): number {
  return Math.max(1, (navigator.hardwareConcurrency || 2) - 1);
}

/** The most workers the setting offers: one per core (more only contend for them). */
export function maxWorkers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 2);
}

/** The pool size this browser keeps (localStorage; not in links: numbers do not depend on it). */
export function savedWorkers(): number {
  let saved: number | null = null;
  try {
    saved = Number(localStorage.getItem(WORKERS_KEY)) || null;
  } catch {
    /* storage blocked: the default */
  }
  return saved && Number.isInteger(saved) && saved >= 1 && saved <= 64 ? saved : defaultWorkers();
}

export function saveWorkers(n: number): void {
  try {
    localStorage.setItem(WORKERS_KEY, String(n));
  } catch {
    /* storage blocked: the setting lasts for this page */
  }
}

interface PoolState {
  /** The pool size asked for (the setting). */
  size: number;
  /** Workers training now: fewer than `size` when there are fewer run families, one on a GPU backend. */
  active: number;
  /** What recoveries did, newest last (shown until dismissed). */
  notices: string[];
  /** Recovery failed three times in a row: training stopped, with the reason. */
  stopped: string | null;
}

export const usePool = create<PoolState>(() => ({ size: savedWorkers(), active: 0, notices: [], stopped: null }));

export function addPoolNotice(message: string): void {
  usePool.setState((s) => ({ notices: [...s.notices, message] }));
}
