// The overlay's secret files: compose `secrets:` under ${CONFIG}/saml2jwt/secrets/, mounted at
// /run/secrets/<name> and read through *_FILE (sidecar/src/config/secret-file.ts, the SP's
// saml2jwt-render), so that `docker inspect` does not show the secrets. The .env stays the source
// of truth (Prosody reads JWT_APP_SECRET there); setup mirrors each value into its file.
//
// Who may read them: the sidecar runs as uid 1000, and the SP's entrypoint reads its file as root
// with no capability that bypasses file modes, so through group 0. Hence owner 1000, group 0,
// mode 0440 (0750 for the folder); only root can give files that owner.
import * as path from 'node:path';
import type { FileAccess } from './file-owner';

export interface SecretFile {
  /** The .env variable whose value the file holds. */
  variable: 'JWT_APP_SECRET' | 'SIDECAR_PROXY_SECRET' | 'BACKEND_API_KEY';
  /** The compose secret's name and the file's name (compose-overlay/*.yml `secrets:`). */
  name: string;
}

export const jwtAppSecretFile: SecretFile = { variable: 'JWT_APP_SECRET', name: 'jwt_app_secret' };
export const proxySecretFile: SecretFile = { variable: 'SIDECAR_PROXY_SECRET', name: 'sidecar_proxy_secret' };
/** Only with ENABLE_BACKEND_JWT_REQUEST=true (saml2jwt-backend.yml mounts it). */
export const backendApiKeyFile: SecretFile = { variable: 'BACKEND_API_KEY', name: 'backend_api_key' };

/** The sidecar image's user; the SP reads as root through the group. */
export const containerOwner = { uid: 1000, gid: 0 } as const;
export const secretFileMode = 0o440;
export const secretDirMode = 0o750;

export function secretsDir(configDir: string): string {
  return path.join(configDir, 'saml2jwt', 'secrets');
}

/** One line: the value and one newline (what both readers drop). */
export function secretFileContent(value: string): string {
  return `${value}\n`;
}

/**
 * Mode and owner the files (and, with dirMode, the folder) get: the containers' owner when this
 * process may give files away (root), else the process's own user, which the operator must then
 * change (secretOwnerFix).
 */
export function secretAccess(mode: number, processUid = process.getuid?.() ?? 0, processGid = process.getgid?.() ?? 0): FileAccess {
  return processUid === 0 ? { mode, ...containerOwner } : { mode, uid: processUid, gid: processGid };
}

export function hasContainerOwner(access: { uid: number; gid: number }): boolean {
  return access.uid === containerOwner.uid && access.gid === containerOwner.gid;
}

/** The command that gives the folder and its files to the containers' users. */
export function secretOwnerFix(dir: string): string {
  return `sudo chown -R ${containerOwner.uid}:${containerOwner.gid} ${dir}`;
}

export function describeAccess(access: FileAccess): string {
  return `mode ${access.mode.toString(8).padStart(4, '0')}, owner uid ${access.uid}, group ${access.gid}`;
}
