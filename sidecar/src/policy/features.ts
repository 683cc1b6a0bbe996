// The names and values a policy may put into context.features. The client's own check
// (validateJwt) accepts exactly these names, and only the values true, false, "true" and "false"
// (jitsi-meet react/features/base/jwt/constants.ts MEET_FEATURES, read at Pie-D/jitsi-meet
// abf901a4; /work/shared/JITSI.md). `name-readonly` is read by Prosody's mod_muc_displayname
// instead, and only as the boolean true: the string "true" is ignored there. A typo would
// silently fall back to the client's default, so a policy with one is refused at load.
import type { FeatureValue } from './policy';

export const CLIENT_FEATURES = [
  'branding',
  'calendar',
  'create-polls',
  'file-upload',
  'flip',
  'inbound-call',
  'livestreaming',
  'live-translation',
  'lobby',
  'moderation',
  'outbound-call',
  'recording',
  'room',
  'screen-sharing',
  'send-groupchat',
  'list-visitors',
  'sip-inbound-call',
  'sip-outbound-call',
  'transcription',
] as const;

/** Prosody's mod_muc_displayname: the display name comes only from the token. */
export const NAME_READONLY = 'name-readonly';

export const FEATURE_NAMES: readonly string[] = [...CLIENT_FEATURES, NAME_READONLY];

/** Why `value` cannot be the value of feature `name`, or undefined when it can. */
export function featureValueProblem(name: string, value: unknown): string | undefined {
  if (name === NAME_READONLY) return typeof value === 'boolean' ? undefined : 'must be true or false (Prosody ignores the string "true")';
  return value === true || value === false || value === 'true' || value === 'false' ? undefined : 'must be true, false, "true" or "false"';
}

export function isFeatureValue(name: string, value: unknown): value is FeatureValue {
  return featureValueProblem(name, value) === undefined;
}

/** The known feature name closest to `name` (at most 3 edits away), for "did you mean". */
export function nearestFeatureName(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 4;
  for (const known of FEATURE_NAMES) {
    const d = editDistance(name.toLowerCase(), known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Levenshtein distance, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
