/**
 * Guided demos: one per claim of SCIENCE.md, each a preset (presets.ts) with what to look for and what a
 * person should see. The gallery opens one in a click (training at once), or copies a classroom link to it.
 */
import type { ViewSpec } from './view';

export interface Demo {
  /** Short name of the claim. */
  claim: string;
  title: string;
  /** The preset it opens. */
  preset: string;
  /** What to look at, in the order to look. */
  lookFor: string;
  /** What a person should see when it works. */
  expect: string;
  /** View settings that show the point best. */
  view?: Partial<ViewSpec>;
  /** A second preset to open as the contrast. */
  contrast?: { preset: string; label: string };
}

export const DEMOS: Demo[] = [
  {
    claim: 'Online, less noise is never worse per step',
    title: 'Online batch sweep',
    preset: 'online-batch-sweep',
    lookFor: 'The held-out loss against steps for B = 8, 32, 128 and 512 at the same η. Then switch the x-axis to samples seen.',
    expect:
      'Against steps the curves are ordered by batch size, the largest batch lowest, at every step. Against samples seen the small batches are ahead early: noise only buys cheaper steps.',
  },
  {
    claim: 'Offline, the picture differs',
    title: 'Offline contrast: 1,024 training samples',
    preset: 'offline-batch-sweep',
    lookFor: 'The held-out loss (solid) beside each run’s training-set loss (dashed), as epochs pass.',
    expect:
      'Training-set losses fall towards 0 while held-out losses turn up; late in training the smallest batch ends lowest on held-out loss, the reverse of the online ordering.',
    view: { logX: true },
  },
  {
    claim: 'Cutting noise mid-run drops the loss at once — by schedule and by fork',
    title: 'Noise reduction at step 1,000',
    preset: 'online-noise-cut',
    lookFor: 'Step 1,000, where b8-cut raises its batch ×8 and b8-fork branches from b8 with B = 64.',
    expect:
      'The cut run and the fork (which lie on each other) drop at once onto the low-noise b64 curve and stay there, while b8 stays above: online, less noise only helps. The offline contrast ends the other way round.',
    contrast: { preset: 'offline-noise-cut', label: 'offline contrast' },
  },
  {
    claim: 'At equal loss, different noise levels compute nearly the same function',
    title: 'Equal-loss distance against the seed baseline',
    preset: 'equal-loss-online',
    lookFor:
      'The equal-loss comparison below the charts: B = 8 against B = 128 at the lowest held-out loss both have reached, beside the seed baseline (b128 against b128-s2, which differs only in seed), and the distance across the ladder.',
    expect:
      'At every level the pair is about as far apart as the seed twins, or closer (measured at loss 0.778: TV 0.118 against 0.131). The offline contrast ends its ladder higher, where held-out loss stops falling.',
    contrast: { preset: 'equal-loss-offline', label: 'offline contrast' },
  },
  {
    claim: 'Online, less noise is never worse per step — on real images',
    title: 'MNIST digits with a CNN, one pass',
    preset: 'digits-online-demo',
    lookFor: 'The held-out loss against steps of B = 16 and B = 64 (each digit used once), and the verdict above the charts. Then switch the x-axis to samples seen.',
    expect:
      'The verdict reads "larger batch lower at 92 % of evaluated steps (11 of 12): holds" when the run ends (about a minute of CPU on wasm). Against samples seen, B = 16 is ahead: noise buys cheaper steps, not a better path.',
  },
  {
    claim: 'Online, less noise is never worse per step — on language',
    title: 'A synthetic language with a transformer, down to its entropy floor',
    preset: 'markov-online-demo',
    lookFor: 'The held-out loss (nats per character) of B = 8 and B = 32 against steps, the dashed entropy floor below them, and the verdict above the charts.',
    expect:
      'The verdict reads "larger batch lower at 100 % of evaluated steps (10 of 10): holds"; B = 32 ends about 0.1 nats above the floor (1.55), B = 8 still above 2.2, and no curve crosses the floor.',
  },
];
