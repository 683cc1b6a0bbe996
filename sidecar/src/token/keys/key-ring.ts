// The RS256 keys the sidecar holds: loaded from JWT_KEYS_DIR at start (problems refuse the start),
// then re-read on every change in the folder and on a timer, so a rotation never needs a restart.
// A reload with any problem (a half-copied file, a weak key) keeps the keys in use and says why.
import * as fs from 'node:fs';
import type { Config } from '../../config/config';
import type { Logger } from '../../log';
import { asapFileName } from './key-id';
import { readKeyDirectory, type KeyFile } from './key-directory';
import { scheduleKeys, type KeySchedule, type KeyState, type KeyTiming } from './key-schedule';

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
}

const nowSeconds = (): number => Date.now() / 1000;

export class KeyRing {
  private keys: RingKey[] = [];

  private constructor(
    readonly dir: string,
    readonly timing: KeyTiming,
  ) {}

  /**
   * Throws KeyDirectoryError with every problem. Keys found at start count as published since
   * they were made: an earlier run of the sidecar has served them.
   */
  static open(dir: string, timing: KeyTiming): KeyRing {
    const ring = new KeyRing(dir, timing);
    const read = readKeyDirectory(dir);
    if ('problems' in read) throw new KeyDirectoryError(read.problems);
    ring.keys = read.keys.map((k) => ({ ...k, publishedAt: k.created, asapFile: asapFileName(k.kid) }));
    return ring;
  }

  /** Re-reads the folder. A key seen for the first time is published from now (or from when it was made, if later). */
  reload(now = nowSeconds()): ReloadResult {
    const read = readKeyDirectory(this.dir);
    if ('problems' in read) return { problems: read.problems, added: [], removed: [] };
    const known = new Map(this.keys.map((k) => [k.kid, k]));
    const next = read.keys.map((k) => known.get(k.kid) ?? { ...k, publishedAt: Math.max(k.created, now), asapFile: asapFileName(k.kid) });
    const kept = new Set(next.map((k) => k.kid));
    const result = { problems: [], added: next.filter((k) => !known.has(k.kid)).map((k) => k.kid), removed: this.keys.filter((k) => !kept.has(k.kid)).map((k) => k.kid) };
    this.keys = next;
    return result;
  }

  schedule(now = nowSeconds()): KeySchedule {
    return scheduleKeys(this.keys, now, this.timing);
  }

  signingKey(now = nowSeconds()): RingKey {
    const { signingKid } = this.schedule(now);
    return this.keys.find((k) => k.kid === signingKid) as RingKey;
  }

  /** Every key with its state, oldest first. */
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
    const reload = (): void => {
      const before = this.signingKey().kid;
      const result = this.reload();
      if (result.problems.length > 0) {
        log.warn({ event: 'jwt_keys_reload_refused', problems: result.problems }, 'JWT_KEYS_DIR has problems; the keys in use stay');
        return;
      }
      if (result.added.length > 0 || result.removed.length > 0) log.info({ event: 'jwt_keys_reloaded', added: result.added, removed: result.removed }, 'JWT keys reloaded');
      const after = this.signingKey().kid;
      if (after !== before) log.info({ event: 'jwt_signing_key', kid: after, previous: before }, 'a new key signs');
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
