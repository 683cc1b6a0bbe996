// What is on disk now, for features that plan files with an exact mode and owner.
import * as fs from 'node:fs';
import type { FileAccess } from '../file-owner';
import { InvalidInput } from '../input-checks';

export function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new InvalidInput(`cannot look at ${file} (permission denied); run setup as root (sudo)`);
    throw err;
  }
}

export function sameAccess(st: fs.Stats | null, access: FileAccess): boolean {
  return st !== null && (st.mode & 0o7777) === access.mode && st.uid === access.uid && st.gid === access.gid;
}
