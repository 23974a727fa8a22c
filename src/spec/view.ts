/** How the charts are viewed. Part of a link, so a shared experiment opens looking the same. */
import { z } from './zod';

export const X_AXES = ['step', 'samples', 'lrSteps', 'time'] as const;
export type XAxis = (typeof X_AXES)[number];

export const X_AXIS_LABELS: Record<XAxis, string> = {
  step: 'steps',
  samples: 'samples seen',
  lrSteps: 'η · steps',
  time: 'wall time (s)',
};

/** The panels a view can show or hide (visible panels are part of the view, so of the link). */
export const PANELS = ['trainLoss', 'evalLoss', 'noise', 'runTable', 'stepsVsSamples', 'compare', 'verdicts'] as const;
export type Panel = (typeof PANELS)[number];

export const PANEL_LABELS: Record<Panel, string> = {
  trainLoss: 'training loss',
  evalLoss: 'held-out loss',
  noise: 'gradient noise',
  runTable: 'run table',
  stepsVsSamples: 'steps vs samples',
  compare: 'equal-loss comparison',
  verdicts: 'verdicts',
};

export const GROUP_MODES = ['off', 'std', 'ci'] as const;
export type GroupMode = (typeof GROUP_MODES)[number];

export const GROUP_MODE_LABELS: Record<GroupMode, string> = {
  off: 'each run',
  std: 'mean ± std',
  ci: 'mean, 95 % CI',
};

export const ViewSpec = z.object({
  xAxis: z.enum(X_AXES).default('step'),
  logX: z.boolean().default(false),
  logY: z.boolean().default(true),
  /**
   * EMA weight per logged point of the smoothed training curve, as in TensorBoard (0 = raw). Higher than
   * TensorBoard's 0.6 by default because the lab logs every step's minibatch loss, not a few per epoch.
   */
  smoothing: z.number().min(0).max(0.999).default(0.9),
  /** Which of the experiment's comparisons the compare view shows (its index). */
  comparison: z.number().int().min(0).max(63).default(0),
  /** The noise panel's own log-y (its metrics span decades across batch sizes, so log by default). */
  noiseLogY: z.boolean().default(true),
  /**
   * Seed groups (runs that differ only in seed) drawn as their mean with a band: ± one standard deviation
   * across seeds, or the 95 % interval of the mean; 'off' draws every run alone.
   */
  groups: z.enum(GROUP_MODES).default('off'),
  /** With groups on, the member runs drawn faint or hidden. */
  members: z.enum(['faint', 'hidden']).default('faint'),
  /** Panels not shown. */
  hidden: z.array(z.enum(PANELS)).max(PANELS.length).default([]),
});
export type ViewSpec = z.infer<typeof ViewSpec>;

export function defaultView(): ViewSpec {
  return ViewSpec.parse({});
}
