// The .env backups that still hold a JWT_APP_SECRET that is no longer the current one, e.g.
// after `setup --rotate-secret`. Whoever reads such a backup can mint tokens again as soon as
// someone restores it, so setup offers to remove them.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvFile } from '../sidecar/src/config/env-file';
import { backupInfix } from './setup-apply';
import { isStrongSecret } from './setup/strong-secret';

/** Backups of envPath (path.bak-saml2jwt-*) whose JWT_APP_SECRET is a real secret other than currentSecret. */
export function backupsWithOldSecret(envPath: string, currentSecret: string | undefined): string[] {
  const dir = path.dirname(envPath);
  const prefix = `${path.basename(envPath)}${backupInfix}`;
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort()
    .map((name) => path.join(dir, name))
    .filter((file) => {
      const secret = secretIn(file);
      // A placeholder (the original .env's my_jitsi_app_secret) is no secret to protect.
      return isStrongSecret(secret) && secret !== currentSecret;
    });
}

function secretIn(file: string): string | undefined {
  let text: string;
  try {
    if (!fs.statSync(file).isFile()) return undefined;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return EnvFile.parse(text).expanded('JWT_APP_SECRET');
  } catch {
    // A backup compose cannot read: look at its JWT_APP_SECRET lines as plain text.
    const lines = [...text.matchAll(/^[ \t]*JWT_APP_SECRET[ \t]*=[ \t]*['"]?([^'"\r\n]*)/gm)];
    return lines.at(-1)?.[1];
  }
}
