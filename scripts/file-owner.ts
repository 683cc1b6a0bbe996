// Who should own the files that hold secrets: the person who ran setup. Under sudo that is the
// user sudo names (SUDO_UID / SUDO_GID), not root, so they can still read their own .env
// without sudo. Root without sudo (a root shell, su) keeps the current owner of the .env, so a
// checkout that belongs to a user is not taken away from them. Otherwise it is the process's user.
import * as os from 'node:os';

export interface FileOwner {
  uid: number;
  gid: number;
  /** For messages: a user name, or the uid when there is none. */
  name: string;
}

/** Permission bits and owner that a file must get, whatever the file it replaces had. */
export interface FileAccess {
  mode: number;
  uid: number;
  gid: number;
}

/** Files that hold secrets: read and written by their owner only. */
export const privateMode = 0o600;

const decimalId = /^(0|[1-9]\d{0,9})$/;

export function invokingUser(env: NodeJS.ProcessEnv = process.env, currentOwner?: { uid: number; gid: number }): FileOwner {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const sudoUid = env.SUDO_UID ?? '';
  const sudoGid = env.SUDO_GID ?? '';
  // Only root can give a file away, and only a root process started by sudo has a sudo user.
  if (uid === 0 && decimalId.test(sudoUid) && decimalId.test(sudoGid)) {
    return { uid: Number(sudoUid), gid: Number(sudoGid), name: env.SUDO_USER || `uid ${sudoUid}` };
  }
  if (uid === 0 && currentOwner && (currentOwner.uid !== 0 || currentOwner.gid !== 0)) {
    return { uid: currentOwner.uid, gid: currentOwner.gid, name: "the .env's owner" };
  }
  return { uid, gid, name: userName() ?? `uid ${uid}` };
}

export function privateAccess(owner: FileOwner): FileAccess {
  return { mode: privateMode, uid: owner.uid, gid: owner.gid };
}

function userName(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return undefined;
  }
}
