// Writing files so that a reader (or a crash) only ever sees the old or the complete new content:
// a temporary file in the same folder, fsync'd, then renamed over the target.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Prefix of our temporary files; a run cleans up the ones a killed run left behind. */
export const tempPrefix = '.saml2jwt-tmp-';

export interface StagedFile {
  target: string;
  temp: string;
}

/**
 * Writes content to a temporary file beside target, with the target's mode and owner when it
 * exists (else `mode`), fsync'd. Nothing visible changes until commitStaged().
 */
export function stageFile(target: string, content: string | Buffer, mode = 0o644): StagedFile {
  const dir = path.dirname(target);
  const temp = path.join(dir, `${tempPrefix}${path.basename(target)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const existing = statOrNull(target);
  const fd = fs.openSync(temp, 'wx', existing ? existing.mode & 0o7777 : mode);
  try {
    fs.writeFileSync(fd, content);
    // openSync's mode is filtered by the umask: set it exactly.
    fs.fchmodSync(fd, existing ? existing.mode & 0o7777 : mode);
    if (existing && (existing.uid !== process.getuid?.() || existing.gid !== process.getgid?.())) {
      try {
        fs.fchownSync(fd, existing.uid, existing.gid);
      } catch {
        // not root: the file stays ours, which is the best we can do
      }
    }
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return { target, temp };
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
 * Copies a file to a backup path with its mode, fsync'd, failing if the backup exists. On an
 * error after the copy, the half-made backup is removed: there is a complete backup or none.
 */
export function backupFile(source: string, backup: string): void {
  const st = fs.statSync(source);
  fs.copyFileSync(source, backup, fs.constants.COPYFILE_EXCL);
  try {
    fs.chmodSync(backup, st.mode & 0o7777);
    const fd = fs.openSync(backup, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    fs.rmSync(backup, { force: true });
    throw err;
  }
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
