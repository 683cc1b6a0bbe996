// The RS256 keys the sidecar holds: loaded from JWT_KEYS_DIR at start (problems refuse the start),
// then re-read on every change in the folder and on a timer, so a rotation never needs a restart.
// A reload with any problem (a half-copied file, a weak key) keeps the keys in use and says why;
// a revocation applies all the same, and a revoked kid never comes back while the sidecar runs,
// even if its record is deleted.
import * as fs from 'node:fs';
import type { Config } from '../../config/config';
import type { Logger } from '../../log';
import { Refusal } from '../../refusal';
import { asapFileName } from './key-id';
import { readKeyDirectory, type KeyFile } from './key-directory';
import type { Revocation } from './key-revocation';
import { scheduleKeys, type KeySchedule, type KeyState, type KeyTiming, type ScheduledKey } from './key-schedule';

/** The folder is also re-read this often, for file systems where change events do not arrive. */
export const RELOAD_INTERVAL_MS = 10_000;
const CHANGE_SETTLE_MS = 200;

export class KeyDirectoryError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'KeyDirectoryError';
  }
}

export interface RingKey extends KeyFile {
  /** Seconds since the epoch: since when this sidecar serves it on the key server. */
  publishedAt: number;
  asapFile: string;
}

export interface ReloadResult {
  problems: string[];
  added: string[];
  removed: string[];
  /** Kids revoked since the last read (also in `removed` when the ring held them). */
  revoked: string[];
  /** Key files of a revoked kid found in the folder, ignored. */
  revokedFiles: string[];
}

const nowSeconds = (): number => Date.now() / 1000;

/** Every key is revoked or retired: nothing signs until `keys rotate` adds one. Logins answer 503. */
export const noSigningKey = (): Refusal =>
  new Refusal('unavailable', 'no_signing_key', 'No key may sign: every RS256 key is revoked or retired. Add one with `jitsi-saml2jwt keys rotate`.');

export class KeyRing {
  private keys: RingKey[] = [];
  /** kid → the revoked key as the schedule needs it: when it was published, since when this sidecar treats it as revoked. */
  private readonly revoked = new Map<string, ScheduledKey>();

  private constructor(
    readonly dir: string,
    readonly timing: KeyTiming,
  ) {}

  /**
   * Throws KeyDirectoryError with every problem, or when no key may sign. Keys found at start
   * count as published since they were made: an earlier run of the sidecar has served them.
   */
  static open(dir: string, timing: KeyTiming): KeyRing {
    const ring = new KeyRing(dir, timing);
    const read = readKeyDirectory(dir);
    if ('problems' in read) throw new KeyDirectoryError(read.problems);
    const now = nowSeconds();
    for (const r of read.revocations) ring.revoked.set(r.kid, { kid: r.kid, publishedAt: r.createdAt, revokedAt: Math.min(r.revokedAt, now) });
    ring.keys = read.keys.map((k) => ({ ...k, publishedAt: k.created, asapFile: asapFileName(k.kid) }));
    // A sidecar that could not sign would only answer 503: refuse the start, as for an empty folder.
    if (ring.schedule(now).signingKid === undefined) throw new KeyDirectoryError([`JWT_KEYS_DIR: every key in ${dir} is revoked or retired, and neither ever signs again; make one with \`jitsi-saml2jwt keys rotate\``]);
    return ring;
  }

  /**
   * Re-reads the folder. A key seen for the first time is published from now (or from when it was
   * made, if later); a revocation seen for the first time counts from now. Revoked kids leave the
   * ring even when the read finds a problem.
   */
  reload(now = nowSeconds()): ReloadResult {
    const read = readKeyDirectory(this.dir);
    const revoked = this.learnRevocations(read.revocations, now);
    const known = new Map(this.keys.map((k) => [k.kid, k]));
    const next =
      'problems' in read
        ? this.keys.filter((k) => !this.revoked.has(k.kid))
        : read.keys.filter((k) => !this.revoked.has(k.kid)).map((k) => known.get(k.kid) ?? { ...k, publishedAt: Math.max(k.created, now), asapFile: asapFileName(k.kid) });
    const kept = new Set(next.map((k) => k.kid));
    const result: ReloadResult = {
      problems: 'problems' in read ? read.problems : [],
      added: next.filter((k) => !known.has(k.kid)).map((k) => k.kid),
      removed: this.keys.filter((k) => !kept.has(k.kid)).map((k) => k.kid),
      revoked,
      revokedFiles: 'problems' in read ? [] : read.revokedFiles,
    };
    this.keys = next;
    return result;
  }

  private learnRevocations(revocations: readonly Revocation[], now: number): string[] {
    const fresh = revocations.filter((r) => !this.revoked.has(r.kid));
    for (const r of fresh) {
      const publishedAt = this.keys.find((k) => k.kid === r.kid)?.publishedAt ?? r.createdAt;
      this.revoked.set(r.kid, { kid: r.kid, publishedAt, revokedAt: now });
    }
    return fresh.map((r) => r.kid);
  }

  isRevoked(kid: string): boolean {
    return this.revoked.has(kid);
  }

  /** The revoked keys take part: they signed for a while. */
  schedule(now = nowSeconds()): KeySchedule {
    if (this.keys.length === 0) return { signingKid: undefined, states: new Map() };
    return scheduleKeys([...this.keys, ...this.revoked.values()], now, this.timing);
  }

  /** Throws noSigningKey() (a Refusal: 503) when every key is revoked or retired. */
  signingKey(now = nowSeconds()): RingKey {
    const { signingKid } = this.schedule(now);
    const key = this.keys.find((k) => k.kid === signingKid);
    if (!key) throw noSigningKey();
    return key;
  }

  /** Every key with its state, oldest first; none when every key is revoked. */
  list(now = nowSeconds()): { key: RingKey; state: KeyState }[] {
    const { states } = this.schedule(now);
    return this.keys.map((key) => ({ key, state: states.get(key.kid) as KeyState }));
  }

  /** Keys whose tokens can still be valid: the signing key and the published ones. */
  publishedKeys(now = nowSeconds()): RingKey[] {
    return this.list(now).filter((e) => e.state !== 'retired').map((e) => e.key);
  }

  publishedKey(kid: string, now = nowSeconds()): RingKey | undefined {
    return this.publishedKeys(now).find((k) => k.kid === kid);
  }

  /** The key Prosody asks for as <hex(sha256(kid))>.pem. */
  publishedByAsapFile(fileName: string, now = nowSeconds()): RingKey | undefined {
    return this.publishedKeys(now).find((k) => k.asapFile === fileName);
  }

  /** Re-reads on change and on a timer until the returned function is called. */
  watch(log: Logger): () => void {
    let settle: NodeJS.Timeout | undefined;
    const signingKid = (): string | undefined => this.schedule().signingKid;
    let reportedRevokedFiles = '';
    const reload = (): void => {
      const before = signingKid();
      const result = this.reload();
      // A revocation is acted on even when the read found a problem: say so first.
      if (result.revoked.length > 0) log.warn({ event: 'jwt_keys_revoked', revoked: result.revoked, removed: result.removed }, 'JWT keys revoked: they no longer sign, are no longer published and their tokens are refused');
      // Once per change, not on every timer tick (a read with a problem does not look at them).
      const revokedFiles = result.revokedFiles.join(', ');
      if (result.problems.length === 0 && revokedFiles !== reportedRevokedFiles) {
        if (revokedFiles !== '') log.warn({ event: 'jwt_revoked_key_files', files: result.revokedFiles }, 'key files of revoked keys are in JWT_KEYS_DIR; they are ignored: delete them');
        reportedRevokedFiles = revokedFiles;
      }
      if (result.problems.length > 0) {
        log.warn({ event: 'jwt_keys_reload_refused', problems: result.problems }, 'JWT_KEYS_DIR has problems; the keys in use stay (revoked ones aside)');
      } else if (result.added.length > 0 || result.removed.length > 0) {
        log.info({ event: 'jwt_keys_reloaded', added: result.added, removed: result.removed }, 'JWT keys reloaded');
      }
      const after = signingKid();
      if (after !== before) {
        if (after === undefined) log.error({ event: 'jwt_no_signing_key', previous: before }, 'every JWT key is revoked or retired: no token can be signed until `keys rotate` adds one');
        else log.info({ event: 'jwt_signing_key', kid: after, previous: before ?? null }, 'a new key signs');
      }
    };
    const onChange = (): void => {
      clearTimeout(settle);
      settle = setTimeout(reload, CHANGE_SETTLE_MS);
      settle.unref();
    };
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(this.dir, { persistent: false }, onChange);
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined; // the timer alone then
    }
    // For bind mounts and network file systems whose change events do not arrive.
    const timer = setInterval(reload, RELOAD_INTERVAL_MS);
    timer.unref();
    return () => {
      clearInterval(timer);
      clearTimeout(settle);
      watcher?.close();
    };
  }
}

/** The ring JWT_SIGNING=RS256 signs with; undefined in HS256 mode. Throws KeyDirectoryError. */
export function openKeyRing(cfg: Config): KeyRing | undefined {
  if (!cfg.jwt.keys) return undefined;
  return KeyRing.open(cfg.jwt.keys.dir, { activationDelaySeconds: cfg.jwt.keys.activationDelaySeconds, maxValiditySeconds: cfg.validity.maxSeconds });
}
