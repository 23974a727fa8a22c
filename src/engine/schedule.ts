import type { LrScheduleSpec } from '../spec/schema';

/**
 * The learning-rate multiplier at 0-based step `step` of a run with `budget` steps: constant, or linear
 * warmup to the peak followed by a cosine decay to `finalFactor` · peak at the end of the budget.
 */
export function lrFactor(schedule: LrScheduleSpec, step: number, budget: number): number {
  if (schedule.kind === 'constant') return 1;
  const { warmupSteps, finalFactor } = schedule;
  if (step < warmupSteps) return (step + 1) / warmupSteps;
  const span = Math.max(1, budget - warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / span);
  return finalFactor + (1 - finalFactor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
