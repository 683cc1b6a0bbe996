// Reads JWT_KEYS_DIR: one PEM private key per file, named by the UTC second it was made
// (key-file-name.ts). Every problem is reported, one line each, naming the variable; the caller
// refuses to start (or, on a reload, keeps the keys it has).
//
// Only `*.pem` files not starting with "." are keys: `keys rotate` writes a hidden temporary file
// and renames it into place, so a half-written key is never read. A key whose kid has a record in
// revoked/ (key-revocation.ts) is never a key again, whatever file holds it.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keyIdOf } from './key-id';
import { KEY_FILE_NAME_EXAMPLE, keyFileCreated } from './key-file-name';
import { readRevocations, type Revocation } from './key-revocation';
import { scheduleKeys, type KeySchedule, type KeyTiming } from './key-schedule';

/** RSA below this is refused (NIST SP 800-57: 2048 is the floor; `keys rotate` makes 2048 unless told). */
export const MIN_RSA_BITS = 2048;

export interface KeyFile {
  /** File name inside the folder, e.g. 20261201T213000Z.pem. */
  name: string;
  kid: string;
  /** Seconds since the epoch, from the file name. */
  created: number;
  bits: number;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM, as the key server serves it. */
  publicPem: string;
}

/**
 * The keys, or every problem; the revocations (those readable) either way, since a revocation
 * must take effect even while the folder has a problem. `revokedFiles`: key files of a revoked
 * kid, ignored (a restore from backup brought them back).
 */
export type KeyDirectory = { keys: KeyFile[]; revocations: Revocation[]; revokedFiles: string[] } | { problems: string[]; revocations: Revocation[] };

const VARIABLE = 'JWT_KEYS_DIR';
const ROTATE_HINT = 'make one with `jitsi-saml2jwt keys rotate --jitsi-dir <docker-jitsi-meet folder>`';

export function isKeyFileCandidate(name: string): boolean {
  return name.endsWith('.pem') && !name.startsWith('.');
}

export function readKeyDirectory(dir: string): KeyDirectory {
  let names: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) return { problems: [`${VARIABLE}: ${dir} is not a folder`], revocations: [] };
    names = fs.readdirSync(dir).filter(isKeyFileCandidate).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    return { problems: [code === 'ENOENT' ? `${VARIABLE}: ${dir} does not exist; ${ROTATE_HINT}` : `${VARIABLE}: cannot read the folder ${dir} (${code})`], revocations: [] };
  }
  const { revocations, problems } = readRevocations(dir);
  if (names.length === 0) return { problems: [...problems, `${VARIABLE}: ${dir} holds no key (*.pem); ${ROTATE_HINT}`], revocations };

  const revoked = new Set(revocations.map((r) => r.kid));
  const keys: KeyFile[] = [];
  const revokedFiles: string[] = [];
  for (const name of names) {
    const read = readKeyFile(dir, name);
    if ('problem' in read) problems.push(`${VARIABLE}: ${read.problem}`);
    else if (revoked.has(read.kid)) revokedFiles.push(name);
    else keys.push(read);
  }
  const seen = new Map<string, string>();
  for (const key of keys) {
    const other = seen.get(key.kid);
    if (other !== undefined) problems.push(`${VARIABLE}: ${other} and ${key.name} hold the same key; remove one`);
    seen.set(key.kid, key.name);
  }
  if (problems.length === 0 && keys.length === 0) problems.push(`${VARIABLE}: ${dir} holds no key (*.pem) that is not revoked; ${ROTATE_HINT}`);
  return problems.length > 0 ? { problems, revocations } : { keys: keys.sort((a, b) => a.created - b.created), revocations, revokedFiles };
}

/**
 * The schedule by the folder alone, each key published since it was made and revoked since its
 * record says: as a sidecar sees it once it has read the folder (`keys list`, `keys revoke`, doctor).
 */
export function scheduleByFolder(read: Extract<KeyDirectory, { keys: unknown }>, now: number, timing: KeyTiming): KeySchedule {
  const revoked = read.revocations.map((r) => ({ kid: r.kid, publishedAt: r.createdAt, revokedAt: r.revokedAt }));
  return scheduleKeys([...read.keys.map((k) => ({ kid: k.kid, publishedAt: k.created })), ...revoked], now, timing);
}

/** One key file of the folder, read and checked as the sidecar does (revocations aside). */
export function readKeyFile(dir: string, name: string): KeyFile | { problem: string } {
  const file = path.join(dir, name);
  const created = keyFileCreated(name);
  if (created === undefined) return { problem: `${file}: a key file is named by the UTC time it was made, e.g. ${KEY_FILE_NAME_EXAMPLE} (\`keys rotate\` names them so)` };
  let pem: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { problem: `${file} is not a regular file` };
    if ((stat.mode & 0o004) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      return { problem: `${file} is readable by every user (mode ${mode}): anyone who reads it can sign tokens for every room; make it 0600 (chmod 600)` };
    }
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return { problem: `${file} is not an unencrypted PEM private key` };
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (privateKey.asymmetricKeyType !== 'rsa') return { problem: `${file} is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; RS256 needs an RSA key` };
  if (bits < MIN_RSA_BITS) return { problem: `${file} is RSA ${bits}, too weak: at least RSA ${MIN_RSA_BITS} (\`keys rotate\` makes RSA 2048)` };
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return { name, kid: keyIdOf(publicKey), created, bits, privateKey, publicKey, publicPem };
}
