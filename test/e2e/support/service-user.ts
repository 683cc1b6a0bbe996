// As in the image, shibd and Apache run unprivileged. When the test runs as root it drops to
// www-data for them (and hands them their folders); as any other user it runs them as itself.
import { execFileSync } from 'node:child_process';
import { chownSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface ServiceUser {
  uid: number;
  gid: number;
}

export function serviceUser(): ServiceUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'www-data'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Give a folder tree to the service user (no-op when not root). */
export function handToServiceUser(path: string): void {
  const user = serviceUser();
  if (!user) return;
  const walk = (p: string): void => {
    chownSync(p, user.uid, user.gid);
    if (statSync(p).isDirectory()) for (const entry of readdirSync(p)) walk(join(p, entry));
  };
  walk(path);
}
