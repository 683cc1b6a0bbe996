// When each key signs, is published and retires: one pure rule, used by the sidecar (signing,
// the key server) and by `keys list`.
//
// - A key is published from the moment the sidecar first serves it (publishedAt).
// - The newest key whose publishedAt + activation delay has passed signs, so that Prosody can
//   have fetched it before any token needs it. When no key has waited that long (the very first
//   key, or a fresh setup), the oldest key signs at once.
// - A key stops signing when a newer one activates; its tokens live at most MAX_VALIDITY longer.
//   It stays published for MAX_VALIDITY plus the overlap (the activation delay) after that, and
//   is retired from the key server then.
export type KeyState = 'signing' | 'published' | 'retired';

export interface ScheduledKey {
  kid: string;
  /** Seconds since the epoch. */
  publishedAt: number;
}

export interface KeyTiming {
  /** JWT_KEY_ACTIVATION_DELAY, seconds; also the overlap kept after MAX_VALIDITY. */
  activationDelaySeconds: number;
  /** MAX_VALIDITY, seconds: the longest a token can live. */
  maxValiditySeconds: number;
}

export interface KeySchedule {
  signingKid: string;
  states: Map<string, KeyState>;
}

/** `keys` must not be empty. */
export function scheduleKeys(keys: readonly ScheduledKey[], now: number, timing: KeyTiming): KeySchedule {
  if (keys.length === 0) throw new Error('scheduleKeys: no key');
  const byAge = [...keys].sort((a, b) => a.publishedAt - b.publishedAt);
  const activatesAt = (k: ScheduledKey): number => k.publishedAt + timing.activationDelaySeconds;
  const active = byAge.filter((k) => activatesAt(k) <= now);
  const signing = active[active.length - 1] ?? (byAge[0] as ScheduledKey);
  const retireAfter = timing.maxValiditySeconds + timing.activationDelaySeconds;
  const states = new Map<string, KeyState>();
  byAge.forEach((key, index) => {
    if (key === signing) {
      states.set(key.kid, 'signing');
      return;
    }
    // When this key stopped signing: the first newer key that activated (none: it never did).
    const replacedAt = Math.min(...byAge.slice(index + 1).filter((k) => activatesAt(k) <= now).map(activatesAt));
    states.set(key.kid, now >= replacedAt + retireAfter ? 'retired' : 'published');
  });
  return { signingKid: signing.kid, states };
}
