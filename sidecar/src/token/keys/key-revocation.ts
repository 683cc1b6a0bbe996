// Revoked keys. `jitsi-saml2jwt keys revoke <kid>` first writes a record into the key folder's
// `revoked/` subfolder and only then deletes the private key file, so the record alone decides:
// every replica that re-reads the folder drops the kid, and a key file of that kid that comes back
// (a restore from backup, a copy) is ignored. A record is named by the UTC second of the
// revocation, that of the key's making (its file name: the key signed for a while, which the
// schedule needs to know) and the kid: `revoked-20261205T101500Z.made-20261201T213000Z.<kid>.pub`.
// It holds the public key, for whoever reads it later. Only the name is read; hidden files (a
// record still being written) are skipped.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { utcStamp, utcStampSeconds } from './key-file-name';

export const REVOKED_FOLDER = 'revoked';

/** What keyIdOf() makes: a SHA-256 thumbprint, 43 characters of base64url. */
export const KID = /^[A-Za-z0-9_-]{43}$/;

const RECORD = /^revoked-(\d{8}T\d{6}Z)\.made-(\d{8}T\d{6}Z)\.([A-Za-z0-9_-]{43})\.pub$/;

export interface Revocation {
  kid: string;
  /** Seconds since the epoch, from the record's name. */
  revokedAt: number;
  /** When the key was made (its file name), seconds since the epoch. */
  createdAt: number;
  /** The record's file name inside revoked/. */
  name: string;
}

export function revokedFolder(keysDir: string): string {
  return path.join(keysDir, REVOKED_FOLDER);
}

export function revocationRecordName(kid: string, createdSeconds: number, revokedSeconds: number): string {
  return `revoked-${utcStamp(revokedSeconds)}.made-${utcStamp(createdSeconds)}.${kid}.pub`;
}

export function revocationRecord(kid: string, publicPem: string): string {
  return `# jitsi-saml2jwt keys revoke: kid ${kid} never signs and is never published again\n${publicPem}`;
}

/**
 * Every record in <keysDir>/revoked/, one per kid (the earliest when a kid was revoked twice).
 * No folder means no revocation; anything else that cannot be read is a problem, named.
 */
export function readRevocations(keysDir: string): { revocations: Revocation[]; problems: string[] } {
  const dir = revokedFolder(keysDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (code === 'ENOENT') return { revocations: [], problems: [] };
    return { revocations: [], problems: [`JWT_KEYS_DIR: cannot read the revoked keys in ${dir} (${code}); no key can be trusted until it is readable`] };
  }
  const byKid = new Map<string, Revocation>();
  const problems: string[] = [];
  for (const name of names.sort()) {
    const m = RECORD.exec(name);
    const revokedAt = m ? utcStampSeconds(m[1] as string) : undefined;
    const createdAt = m ? utcStampSeconds(m[2] as string) : undefined;
    if (!m || revokedAt === undefined || createdAt === undefined) {
      problems.push(`JWT_KEYS_DIR: ${path.join(dir, name)} is not a revocation record (\`keys revoke\` names them revoked-<UTC second>.made-<UTC second>.<kid>.pub); move it out of ${dir}`);
      continue;
    }
    const kid = m[3] as string;
    if (!byKid.has(kid)) byKid.set(kid, { kid, revokedAt, createdAt, name });
  }
  return { revocations: [...byKid.values()].sort((a, b) => a.revokedAt - b.revokedAt), problems };
}
