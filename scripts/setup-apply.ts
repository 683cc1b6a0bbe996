// Applying a SetupPlan so that no data is lost:
//   1. create missing folders
//   2. write every new content to a temp file beside its target, fsync'd
//   3. back up every existing file that changes, timestamped, readable by the invoking user only
//   4. rename the temp files into place, .env last
// A file that holds secrets (.env) gets mode 0600 and the invoking user as owner, whatever the
// file it replaces had (scripts/file-owner.ts says who that is under sudo). The secret files and
// their folder get the exact mode and owner the plan names (scripts/secret-files.ts); they have
// no backup, since the .env holds their values.
// An error before the end undoes what was done (so every file is as it was, mode and owner
// included); a kill leaves each
// file either original or complete, the .env original or complete, plus a backup of it.
// (test/unit/scripts/setup-apply.test.ts fails or kills it before each of its writes.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backupFile, commitStaged, discardStaged, removeStaleTemps, stageFile, type StagedFile } from './atomic-write';
import { invokingUser, privateAccess, type FileAccess, type FileOwner } from './file-owner';
import type { PlannedFile, SetupPlan } from './setup-plan';

export const backupInfix = '.bak-saml2jwt-';

export interface ApplyOptions {
  now?: Date;
  /** Owner of the private files and backups; default: the invoking user (file-owner.ts). */
  owner?: FileOwner;
}

export interface ApplyResult {
  written: string[];
  backups: string[];
  dirsCreated: string[];
  /** Files written or made with mode 0600 and this owner: the private files and the backups. */
  privateFiles: string[];
  owner: FileOwner;
}

/** YYYYMMDDTHHMMSSZ */
export function backupStamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function applyPlan(plan: SetupPlan, opts: ApplyOptions = {}): ApplyResult {
  const stamp = backupStamp(opts.now ?? new Date());
  const owner = opts.owner ?? invokingUser();
  const access = privateAccess(owner);
  const accessOf = (file: PlannedFile): FileAccess | undefined => file.access ?? (file.holdsSecrets ? access : undefined);
  const dirAccess = new Map(plan.dirAccess.map((d) => [d.path, d.access]));
  // What each existing file had, so that an undo puts mode and owner back too.
  const original = new Map<string, FileAccess>();
  for (const file of plan.files) {
    if (file.before === null) continue;
    const st = fs.statSync(file.path);
    original.set(file.path, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  }
  const dirsCreated: string[] = [];
  const dirsChanged: { path: string; access: FileAccess }[] = []; // existing folders, with their old access
  const staged: { file: PlannedFile; staged: StagedFile }[] = [];
  const backups: string[] = [];
  const committed: PlannedFile[] = [];
  try {
    for (const dir of plan.dirs) {
      if (fs.existsSync(dir)) continue;
      const wanted = dirAccess.get(dir);
      fs.mkdirSync(dir, { mode: wanted?.mode ?? (dir.endsWith(`${path.sep}sp`) ? 0o700 : 0o755) });
      dirsCreated.push(dir);
      if (wanted) setAccess(dir, wanted);
    }
    for (const { path: dir, access: wanted } of plan.dirAccess) {
      if (dirsCreated.includes(dir)) continue;
      const st = fs.statSync(dir);
      dirsChanged.push({ path: dir, access: { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid } });
      setAccess(dir, wanted);
    }
    for (const dir of new Set(plan.files.map((f) => path.dirname(f.path)))) removeStaleTemps(dir);

    for (const file of plan.files) {
      staged.push({ file, staged: stageFile(file.path, file.after, file.mode, accessOf(file)) });
    }
    for (const file of plan.files) {
      if (file.before === null || !file.backup) continue;
      const backup = freeBackupName(file.path, stamp);
      backupFile(file.path, backup, access);
      backups.push(backup);
    }
    for (const { file, staged: s } of staged) {
      if (file.before !== null && fs.readFileSync(file.path, 'utf8') !== file.before) {
        throw new Error(`${file.path} changed while setup was running: run setup again`);
      }
      commitStaged(s, file.replace);
      committed.push(file);
    }
  } catch (err) {
    undo(committed, original, staged.map((s) => s.staged), backups, dirsCreated, dirsChanged);
    throw err;
  }
  const privateFiles = [...committed.filter((f) => f.holdsSecrets).map((f) => f.path), ...backups];
  return { written: committed.map((f) => f.path), backups, dirsCreated, privateFiles, owner };
}

// Puts every file back as it was: committed files get their old content (or go away if new),
// temp files, this run's backups and the folders it made are removed.
function undo(
  committed: PlannedFile[],
  original: Map<string, FileAccess>,
  staged: StagedFile[],
  backups: string[],
  dirs: string[],
  dirsChanged: { path: string; access: FileAccess }[],
): void {
  let restored = true;
  for (const file of committed.reverse()) {
    try {
      if (file.before === null) fs.rmSync(file.path, { force: true });
      else commitStaged(stageFile(file.path, file.before, file.mode, restorableAccess(original.get(file.path))), true);
    } catch (err) {
      restored = false;
      process.stderr.write(`could not restore ${file.path}: ${(err as Error).message}; the backups are kept\n`);
    }
  }
  staged.forEach(discardStaged);
  if (restored) for (const backup of backups) fs.rmSync(backup, { force: true });
  for (const dir of [...dirs].reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      // not empty: something else lives there now; leave it
    }
  }
  for (const { path: dir, access } of dirsChanged.reverse()) {
    try {
      setAccess(dir, access);
    } catch (err) {
      process.stderr.write(`could not give ${dir} back its mode and owner: ${(err as Error).message}\n`);
    }
  }
}

// Exact mode (mkdir's is filtered by the umask) and owner; the owner only when it changes, since
// only root may give a folder away.
function setAccess(dir: string, access: FileAccess): void {
  fs.chmodSync(dir, access.mode);
  const st = fs.statSync(dir);
  if (st.uid !== access.uid || st.gid !== access.gid) fs.chownSync(dir, access.uid, access.gid);
}

// Only root may give a file back to another owner; otherwise the restored file keeps the mode
// of the one it replaces (ours, which is never looser).
function restorableAccess(access: FileAccess | undefined): FileAccess | undefined {
  if (!access) return undefined;
  const uid = process.getuid?.();
  return uid === 0 || (access.uid === uid && access.gid === process.getgid?.()) ? access : undefined;
}

function freeBackupName(file: string, stamp: string): string {
  const base = `${file}${backupInfix}${stamp}`;
  for (let i = 1; i < 100; i++) {
    const candidate = i === 1 ? base : `${base}-${i}`;
    if (!fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`too many backups of ${file} at ${stamp}`);
}
