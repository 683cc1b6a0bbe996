// `jitsi-saml2jwt keys revoke <kid>`: withdraw an RS256 key at once, for when its private key may
// have been copied. A record goes into revoked/ first (key-revocation.ts), then the key file is
// deleted; every sidecar replica drops the kid at its next read of the folder (at most 10 s): it
// stops signing with it, drops it from /asap/ and the JWK set, and /validateToken refuses its
// tokens. Prosody is another matter: what it has fetched it keeps, so this says what it may still
// hold and the command that drops it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvFile } from '../sidecar/src/config/env-file';
import { isKeyFileCandidate, readKeyDirectory, readKeyFile, scheduleByFolder, type KeyFile } from '../sidecar/src/token/keys/key-directory';
import { KID, readRevocations, revocationRecord, revocationRecordName, revokedFolder } from '../sidecar/src/token/keys/key-revocation';
import { RELOAD_INTERVAL_MS } from '../sidecar/src/token/keys/key-ring';
import type { KeyTiming } from '../sidecar/src/token/keys/key-schedule';
import { prosodyForgetsKidWithinSeconds, prosodyJwksRefreshSeconds } from '../sidecar/src/token/keys/prosody-key-cache';
import { commitStaged, discardStaged, stageFile } from './atomic-write';
import type { FileAccess } from './file-owner';
import { InvalidInput } from './input-checks';
import { cacheKeysUrlIn, jwksUrl } from './prosody-cache-keys';

export interface RevokeRequest {
  dir: string;
  kid: string;
  timing: KeyTiming;
  now: Date;
  /** Mode and owner of the record and of revoked/ (those of the keys and their folder). */
  access: { file: FileAccess; dir: FileAccess };
  /** The docker-jitsi-meet checkout (--jitsi-dir), for the Prosody part; undefined with --dir. */
  checkout?: { dir: string; env: EnvFile };
  out: (text: string) => void;
  err: (text: string) => void;
}

export function revokeJwtKey(req: RevokeRequest): number {
  const { dir, kid, now } = req;
  if (!KID.test(kid)) throw new InvalidInput(`${JSON.stringify(kid)} is not a kid: a kid is 43 characters of base64url, as \`keys list\` shows it`);
  const known = readRevocations(dir);
  if (known.problems.length > 0) {
    req.err(`keys: ${known.problems.join('\n  ')}\n`);
    return 1;
  }
  const files = keyFilesOf(dir, kid);
  const earlier = known.revocations.find((r) => r.kid === kid);
  if (!earlier && files.length === 0) {
    req.err(`keys: no key with kid ${kid} in ${dir}; \`keys list\` shows the kids\n`);
    return 1;
  }

  const nowSeconds = Math.floor(now.getTime() / 1000);
  const { access } = req;
  let record = earlier ? path.join(revokedFolder(dir), earlier.name) : undefined;
  if (!record) {
    // The record first: from the moment it exists, every reader ignores the kid, even if the
    // deletion below never happens.
    const folder = revokedFolder(dir);
    fs.mkdirSync(folder, { recursive: true, mode: access.dir.mode });
    // Every time, not only when made: a run that failed halfway may have left it otherwise, and
    // the sidecar (uid 1000) must be able to list it.
    fs.chmodSync(folder, access.dir.mode);
    if (process.getuid?.() === 0) fs.chownSync(folder, access.dir.uid, access.dir.gid);
    const key = files[0] as KeyFile;
    record = path.join(folder, revocationRecordName(kid, key.created, nowSeconds));
    const staged = stageFile(record, revocationRecord(kid, key.publicPem), access.file.mode, access.file);
    try {
      commitStaged(staged, false);
    } catch (e) {
      discardStaged(staged);
      throw e;
    }
  }
  for (const file of files) {
    try {
      fs.rmSync(path.join(dir, file.name), { force: true });
    } catch (e) {
      // The record already makes every reader ignore it; the private key should still go.
      req.err(`keys: kid ${kid} is revoked (${record}), but ${path.join(dir, file.name)} could not be deleted (${(e as NodeJS.ErrnoException).code ?? String(e)}): delete it by hand\n`);
      return 1;
    }
  }

  const lines = [
    earlier ? `kid ${kid} was revoked already (${new Date(earlier.revokedAt * 1000).toISOString()})` : `revoked kid ${kid}`,
    `  record ${record}`,
    ...files.map((f) => `  deleted ${path.join(dir, f.name)}`),
    `Every saml2jwt replica re-reads the key folder within ${RELOAD_INTERVAL_MS / 1000} s: it then no longer signs with this key, serves it neither at /asap/ nor in /.well-known/jwks.json, and /validateToken refuses its tokens (revoked_kid).`,
    signingLine(req),
    ...prosodyLines(req),
  ];
  req.out(lines.join('\n') + '\n');
  if (access.file.uid !== 1000) req.err(`keys: warning: the sidecar reads the key folder as uid 1000; run: sudo chown -R 1000:0 ${dir}\n`);
  return 0;
}

/** Every readable key file holding this kid (a copy may sit under a second name). */
function keyFilesOf(dir: string, kid: string): KeyFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isKeyFileCandidate).sort();
  } catch {
    return [];
  }
  return names.map((name) => readKeyFile(dir, name)).filter((f): f is KeyFile => 'kid' in f && f.kid === kid);
}

/** Which key signs now, by the folder as the sidecar reads it. */
function signingLine(req: RevokeRequest): string {
  const read = readKeyDirectory(req.dir);
  const rotate = `jitsi-saml2jwt keys rotate ${req.checkout ? `--jitsi-dir ${req.checkout.dir}` : `--dir ${req.dir}`}`;
  const none = (why: string): string => `No key remains (${why}): the sidecar signs no token (logins answer 503) until you add one with \`${rotate}\`; a new key signs at once.`;
  if ('problems' in read) {
    return read.problems.some((p) => p.includes('holds no key'))
      ? none('every key is revoked')
      : `The key folder has problems, so the sidecar keeps its other keys as they were; fix them:\n  ${read.problems.join('\n  ')}`;
  }
  const { signingKid } = scheduleByFolder(read, req.now.getTime() / 1000, req.timing);
  const key = read.keys.find((k) => k.kid === signingKid);
  if (!key) return none('the others are retired, and a retired key never signs again');
  return `Signing now: kid ${key.kid} (${key.name}), the newest remaining key, at once.`;
}

/** What Prosody may still hold, and how to drop it. */
function prosodyLines(req: RevokeRequest): string[] {
  const restart = req.checkout ? `cd ${req.checkout.dir} && docker compose restart prosody` : 'docker compose restart prosody   (in the docker-jitsi-meet checkout)';
  const cacheKeysUrl = cacheKeysUrlIn(req.checkout?.env.expanded('XMPP_CONFIGURATION'));
  const refresh = prosodyJwksRefreshSeconds(req.timing);
  const within = prosodyForgetsKidWithinSeconds(req.timing);
  return [
    `Prosody may still accept tokens of kid ${req.kid}, with any exp, from whoever holds its private key:`,
    `  - a key it fetched from JWT_ASAP_KEYSERVER (/asap/) stays in its cache until Prosody restarts. Drop it now (meetings stop for a moment and reconnect):`,
    `      ${restart}`,
    cacheKeysUrl === jwksUrl
      ? `  - a key it read from the JWK set (cache_keys_url) leaves by itself within ${minutes(within)} (the set is re-read every ${refresh} s, then 90 minutes' grace).`
      : `  - cache_keys_url is ${req.checkout ? `not ${jwksUrl} in XMPP_CONFIGURATION` : 'unknown here (give --jitsi-dir)'}; \`setup --signing rs256\` sets it, so that a revoked key leaves Prosody within ${minutes(within)} without a restart.`,
  ];
}

function minutes(seconds: number): string {
  return `${Math.ceil(seconds / 60)} minutes`;
}
