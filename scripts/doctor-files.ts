// What `doctor` checks on the docker-jitsi-meet folder itself (not through Docker): the .env and
// setup's backups of it hold JWT_APP_SECRET and Jitsi's passwords, so only their owner may read them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from './doctor-checks';
import { backupInfix } from './setup-apply';

/** Bits that let a group or everyone read, write or run a file. */
const groupOrOther = 0o077;

/**
 * One result for the .env and its .env.bak-saml2jwt-* backups in dir: ok when none is open to
 * its group or to others, else a warning naming each one with its mode. Nothing when dir has no .env
 * (doctor may run on another machine than the checkout).
 */
export function secretFilesCheck(dir: string): CheckResult[] {
  const envPath = path.join(dir, '.env');
  if (!isFile(envPath)) return [];
  const backups = fs
    .readdirSync(dir)
    .filter((n) => n.startsWith(`.env${backupInfix}`))
    .sort()
    .map((n) => path.join(dir, n))
    .filter(isFile);
  const open = [envPath, ...backups]
    .map((file) => ({ file, mode: fs.statSync(file).mode & 0o777 }))
    .filter((f) => (f.mode & groupOrOther) !== 0);
  const what = `the .env${backups.length > 0 ? ` and its ${backups.length} backup${backups.length === 1 ? '' : 's'}` : ''} in ${dir}`;
  if (open.length === 0) return [{ ok: true, what: `${what} are readable by their owner only (they hold secrets)` }];
  const named = open.map((f) => `${path.basename(f.file)} (${f.mode.toString(8).padStart(4, '0')})`).join(', ');
  return [
    {
      ok: false,
      warning: true,
      what: `readable by others than their owner, though they hold JWT_APP_SECRET and Jitsi's passwords: ${named}`,
      fix: `chmod 600 ${open.map((f) => shellQuote(f.file)).join(' ')}`,
    },
  ];
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
