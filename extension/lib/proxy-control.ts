/**
 * Whether the proxy setting the worker applied is the one in force, from Chromium's
 * `levelOfControl`, and what to do about it. Another extension or an enterprise policy can hold the
 * setting; then protection in this browser is off whatever the plan says, and the popup and badge
 * must say so. When the setting becomes ours to take again, the worker takes it back.
 */
import { z } from 'zod';

export const LevelOfControl = z.enum([
  'not_controllable',
  'controlled_by_other_extensions',
  'controllable_by_this_extension',
  'controlled_by_this_extension',
]);
export type LevelOfControl = z.infer<typeof LevelOfControl>;

/** Why the browser does not use our setting. */
export const OverriddenBy = z.enum(['controlled_by_other_extensions', 'not_controllable']);
export type OverriddenBy = z.infer<typeof OverriddenBy>;

export type Wanted = 'pac' | 'release';

export interface ControlVerdict {
  /** Set when we want the PAC in force and the browser uses someone else's setting instead. */
  overridden: OverriddenBy | null;
  /** Apply our setting again now: the setting is ours to take and ours is not in force. */
  reapply: boolean;
}

export function controlVerdict(wanted: Wanted | null, level: LevelOfControl): ControlVerdict {
  if (wanted !== 'pac') return { overridden: null, reapply: false };
  switch (level) {
    case 'controlled_by_this_extension':
      return { overridden: null, reapply: false };
    case 'controllable_by_this_extension':
      return { overridden: null, reapply: true };
    case 'controlled_by_other_extensions':
    case 'not_controllable':
      return { overridden: level, reapply: false };
  }
}
