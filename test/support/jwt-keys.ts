// RS256 key folders for tests: real RSA keys in a fresh temporary folder, named as `keys rotate`
// names them. Key generation is slow, so a few 2048-bit keys are made once per process and
// handed out in turn (each folder still gets distinct keys).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyFileName } from '../../sidecar/src/token/keys/key-file-name';

const pool: { privatePem: string; publicKey: KeyObject }[] = [];
let next = 0;

function pooledKey(): { privatePem: string; publicKey: KeyObject } {
  if (pool.length < 6) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pool.push({ privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey });
  }
  const key = pool[next % pool.length] as { privatePem: string; publicKey: KeyObject };
  next += 1;
  return key;
}

export function makeKeyDir(): string {
  return mkdtempSync(join(tmpdir(), 'saml2jwt-jwt-keys-'));
}

export interface WrittenKey {
  file: string;
  privatePem: string;
  publicKey: KeyObject;
}

/** A key made `ageSeconds` ago, written the way `keys rotate` does (hidden temp file, rename). */
export function writeKey(dir: string, ageSeconds: number): WrittenKey {
  const key = pooledKey();
  const file = writePem(dir, keyFileName(Math.floor(Date.now() / 1000) - ageSeconds), key.privatePem);
  return { file, ...key };
}

/** Any content under any name, atomically, with `mode`. */
export function writePem(dir: string, name: string, pem: string, mode = 0o600): string {
  const file = join(dir, name);
  const temp = join(dir, `.tmp-${process.pid}-${Date.now()}-${Math.random()}`);
  writeFileSync(temp, pem, { mode });
  chmodSync(temp, mode);
  renameSync(temp, file);
  return file;
}

/** A folder with one key `ageSeconds` old. */
export function keyDirWithOneKey(ageSeconds = 3600): { dir: string; key: WrittenKey } {
  const dir = makeKeyDir();
  return { dir, key: writeKey(dir, ageSeconds) };
}
