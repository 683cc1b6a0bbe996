// Writing files so that a reader (or a crash) only ever sees the old or the complete new content:
// a temporary file in the same folder, fsync'd, then renamed over the target.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileAccess } from './file-owner';

/** Prefix of our temporary files; a run cleans up the ones a killed run left behind. */
export const tempPrefix = '.saml2jwt-tmp-';

export interface StagedFile {
  target: string;
  temp: string;
}

/**
 * Writes content to a temporary file beside target, fsync'd. Its mode and owner: `access` when
 * given (a file that holds secrets), else the target's when it exists, else `mode`. Nothing
 * visible changes until commitStaged().
 */
export function stageFile(target: string, content: string | Buffer, mode = 0o644, access?: FileAccess): StagedFile {
  const dir = path.dirname(target);
  const temp = path.join(dir, `${tempPrefix}${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const existing = statOrNull(target);
  const wanted: { mode: number; uid?: number; gid?: number } = access ?? (existing ? { mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid } : { mode });
  // Created with the final mode (or stricter, by the umask), so the content is never readable by more.
  const fd = fs.openSync(temp, 'wx', wanted.mode);
  try {
    fs.writeFileSync(fd, content);
    // openSync's mode is filtered by the umask: set it exactly.
    fs.fchmodSync(fd, wanted.mode);
    if (wanted.uid !== undefined && wanted.gid !== undefined) giveTo(fd, wanted.uid, wanted.gid, access !== undefined);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return { target, temp };
}

// A required owner (access) must be set; keeping an old file's owner is best effort, since
// only root may give a file away.
function giveTo(fd: number, uid: number, gid: number, required: boolean): void {
  if (uid === process.getuid?.() && gid === process.getgid?.()) return;
  try {
    fs.fchownSync(fd, uid, gid);
  } catch (err) {
    if (required) throw err;
  }
}

/**
 * Puts a staged file in place. replace=false never clobbers: link(2) fails if the target
 * appeared meanwhile (used for keys, which are never overwritten).
 */
export function commitStaged(staged: StagedFile, replace: boolean): void {
  if (replace) {
    fs.renameSync(staged.temp, staged.target);
  } else {
    fs.linkSync(staged.temp, staged.target);
    try {
      fs.unlinkSync(staged.temp);
    } catch (err) {
      // Not committed after all: the caller undoes what it committed, and this is not listed.
      fs.rmSync(staged.target, { force: true });
      throw err;
    }
  }
  fsyncDir(path.dirname(staged.target));
}

export function discardStaged(staged: StagedFile): void {
  fs.rmSync(staged.temp, { force: true });
}

/**
 * Copies a file to a backup path with the given mode and owner, fsync'd, failing if the backup
 * exists. The mode is set before any content is written, so a backup of secrets is never
 * readable by others. On an error after the backup was created, it is removed: there is a
 * complete backup or none.
 */
export function backupFile(source: string, backup: string, access: FileAccess): void {
  const content = fs.readFileSync(source);
  const fd = fs.openSync(backup, 'wx', access.mode);
  try {
    fs.fchmodSync(fd, access.mode);
    giveTo(fd, access.uid, access.gid, true);
    fs.writeFileSync(fd, content);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(backup, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fsyncDir(path.dirname(backup));
}

/** Removes temporary files of ours left in dir by a run that was killed. */
export function removeStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => n.startsWith(tempPrefix));
  for (const name of stale) fs.rmSync(path.join(dir, name), { force: true });
  return stale;
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename itself is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}
