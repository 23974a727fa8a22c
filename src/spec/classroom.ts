/**
 * Classroom mode: a link flag for teaching from a projector. The link names the controls to hide; charts and
 * text are enlarged; play, pause and reset always stay (they are not in the list, so no link can hide them).
 */
import { z } from './zod';

export const CONTROLS = ['editor', 'presets', 'gallery', 'view', 'share', 'backend', 'step', 'fork', 'saved', 'export'] as const;
export type Control = (typeof CONTROLS)[number];

export const CONTROL_LABELS: Record<Control, string> = {
  editor: 'experiment editor',
  presets: 'preset picker',
  gallery: 'demo gallery',
  view: 'chart view controls',
  share: 'copy link',
  backend: 'backend panel',
  step: 'single step',
  fork: 'fork buttons',
  saved: 'saved experiments',
  export: 'export and import',
};

export const ClassroomSpec = z.object({
  hide: z.array(z.enum(CONTROLS)).max(CONTROLS.length).default([]),
});
export type ClassroomSpec = z.infer<typeof ClassroomSpec>;

/** What a gallery demo hides by default when opened for a class: everything but the charts and play/pause/reset. */
export const CLASSROOM_DEFAULT_HIDE: Control[] = ['editor', 'presets', 'backend', 'step', 'fork', 'saved', 'export'];
