// When each key signs, is published and retires: one pure rule, used by the sidecar (signing,
// the key server) and by `keys list` / `keys revoke`.
//
// - A key is published from the moment the sidecar first serves it (publishedAt).
// - The newest key whose publishedAt + activation delay has passed signs, so that Prosody can
//   have fetched it before any token needs it. When no key has waited that long (the very first
//   key, or a fresh setup), the oldest key signs at once.
// - A key stops signing when another one takes over; its tokens live at most MAX_VALIDITY longer.
//   It stays published for MAX_VALIDITY plus the overlap (the activation delay) after that, and
//   is retired from the key server then. A retired key never signs again.
// - A revoked key (key-revocation.ts) signs no more and has no state. Its revocation ends every
//   activation delay still running: each key published by then counts as active from then on, so
//   the newest remaining key that is not retired signs at once. When none is left, none signs.
//
// Revocations make the history matter (a key may stop signing, sign again once the key that
// replaced it is revoked, and be replaced again), so the rule is played forward from event to
// event; revoked keys take part, since they did sign for a while.
export type KeyState = 'signing' | 'published' | 'retired';

export interface ScheduledKey {
  kid: string;
  /** Seconds since the epoch. */
  publishedAt: number;
  /** Seconds since the epoch; set for a revoked key. */
  revokedAt?: number;
}

export interface KeyTiming {
  /** JWT_KEY_ACTIVATION_DELAY, seconds; also the overlap kept after MAX_VALIDITY. */
  activationDelaySeconds: number;
  /** MAX_VALIDITY, seconds: the longest a token can live. */
  maxValiditySeconds: number;
}

export interface KeySchedule {
  /** undefined: every key is revoked or retired. */
  signingKid: string | undefined;
  /** Every key not revoked by now. */
  states: Map<string, KeyState>;
}

/** `keys` holds at least one key that is not revoked. */
export function scheduleKeys(keys: readonly ScheduledKey[], now: number, timing: KeyTiming): KeySchedule {
  if (!keys.some((k) => !revokedBy(k, now))) throw new Error('scheduleKeys: no key');
  const byAge = [...keys].sort((a, b) => a.publishedAt - b.publishedAt);
  const revoked = byAge.filter((k) => k.revokedAt !== undefined);
  // Another key's revocation after this one was published cuts its delay short.
  const activation = new Map(byAge.map((k) => [k, Math.min(k.publishedAt + timing.activationDelaySeconds, ...revoked.filter((o) => o !== k && (o.revokedAt as number) >= k.publishedAt).map((o) => o.revokedAt as number))]));
  const activatesAt = (k: ScheduledKey): number => activation.get(k) as number;
  const retireAfter = timing.maxValiditySeconds + timing.activationDelaySeconds;
  /** kid → when it last stopped signing, or was passed over by a newer key without signing. */
  const stopped = new Map<string, number>();
  const retiredAt = (k: ScheduledKey, t: number): boolean => {
    const s = stopped.get(k.kid);
    return s !== undefined && t >= s + retireAfter;
  };

  let signing: ScheduledKey | undefined;
  const events = [...new Set([...byAge.flatMap((k) => [k.publishedAt, activatesAt(k)]), ...revoked.map((k) => k.revokedAt as number), now])].filter((t) => t <= now).sort((a, b) => a - b);
  for (const t of events) {
    const live = byAge.filter((k) => k.publishedAt <= t && !revokedBy(k, t) && (k === signing || !retiredAt(k, t)));
    const active = live.filter((k) => activatesAt(k) <= t);
    const keep = signing !== undefined && live.includes(signing) ? signing : undefined;
    const next = active[active.length - 1] ?? keep ?? live[0];
    if (next === signing) continue;
    // Every key older than the new one that is not retired stops (or is passed over) now.
    for (const k of live) if (k !== next && k.publishedAt <= (next?.publishedAt ?? Infinity) && !stopped.has(k.kid)) stopped.set(k.kid, t);
    if (signing && !stopped.has(signing.kid)) stopped.set(signing.kid, t);
    if (next) stopped.delete(next.kid);
    signing = next;
  }

  const states = new Map<string, KeyState>();
  for (const key of byAge) {
    if (revokedBy(key, now)) continue;
    states.set(key.kid, key === signing ? 'signing' : retiredAt(key, now) ? 'retired' : 'published');
  }
  return { signingKid: signing?.kid, states };
}

function revokedBy(k: ScheduledKey, t: number): boolean {
  return k.revokedAt !== undefined && k.revokedAt <= t;
}
