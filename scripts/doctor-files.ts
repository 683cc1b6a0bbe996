// What `doctor` checks on the docker-jitsi-meet folder itself (not through Docker): the .env and
// setup's backups of it hold JWT_APP_SECRET and Jitsi's passwords, so only their owner may read them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CheckResult } from './doctor-checks';
import { backupInfix } from './setup-apply';
import { containerOwner, secretOwnerFix } from './secret-files';

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

/**
 * The secret files the containers mount (host paths, from secretFileSources): FAIL when any is
 * open to every user, WARN when one does not belong to uid 1000 and group 0 (the containers
 * cannot read it after a restart) or cannot be looked at. Nothing when none is on this machine.
 */
export function secretMountsCheck(files: string[]): CheckResult[] {
  const seen: { file: string; mode: number; uid: number; gid: number }[] = [];
  const denied: string[] = [];
  for (const file of files) {
    try {
      const st = fs.statSync(file);
      seen.push({ file, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') denied.push(file);
      // ENOENT: doctor runs on another machine than the containers' files
    }
  }
  const results: CheckResult[] = [];
  if (denied.length > 0) {
    results.push({ ok: false, warning: true, what: `cannot look at the secret files ${denied.join(', ')} (permission denied)`, fix: 'run doctor as root (sudo) to check their modes' });
  }
  if (seen.length === 0) return results;
  const octal = (mode: number): string => mode.toString(8).padStart(4, '0');
  const names = seen.map((f) => `${path.basename(f.file)} (${octal(f.mode)} ${f.uid}:${f.gid})`).join(', ');
  const open = seen.filter((f) => (f.mode & 0o007) !== 0);
  results.push(
    open.length === 0
      ? { ok: true, what: `the secret files the containers mount are not readable by other users: ${names}` }
      : {
          ok: false,
          what: `secret files readable by every user of the host: ${open.map((f) => `${f.file} (${octal(f.mode)})`).join(', ')}`,
          fix: `chmod 0440 ${open.map((f) => shellQuote(f.file)).join(' ')} (jitsi-saml2jwt setup writes them so)`,
        },
  );
  const strangers = seen.filter((f) => f.uid !== containerOwner.uid || f.gid !== containerOwner.gid);
  if (strangers.length > 0) {
    const dir = path.dirname(strangers[0]!.file);
    results.push({
      ok: false,
      warning: true,
      what: `secret files not owned by uid 1000 (the sidecar's user) and group 0 (the SP reads as root), so the containers cannot read them after a restart: ${strangers.map((f) => `${path.basename(f.file)} (${f.uid}:${f.gid})`).join(', ')}`,
      fix: secretOwnerFix(shellQuote(dir)),
    });
  }
  return results;
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
