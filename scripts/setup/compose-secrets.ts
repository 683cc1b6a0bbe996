// The secrets as files for compose `secrets:` (so `docker inspect` shows no secret), mirrored from
// the .env, which stays the one source of truth; RS256 has no app secret. Planned after every
// feature that may change a secret in the .env.
import * as path from 'node:path';
import type { FileAccess } from '../file-owner';
import { InvalidInput } from '../input-checks';
import {
  backendApiKeyFile,
  hasContainerOwner,
  jwtAppSecretFile,
  proxySecretFile,
  secretDirMode,
  secretFileContent,
  secretFileMode,
  secretOwnerFix,
  secretsDir,
  type SecretFile,
} from '../secret-files';
import type { PlannedFile } from '../setup-plan';
import { readOrNull, type SetupDraft, type SetupFeature } from './draft';
import { sameAccess, statOrNull } from './file-state';
import { backendApiOn } from './sidecar-secrets';

export const composeSecrets: SetupFeature = {
  name: 'secrets as files',
  flags: [],
  doctorChecks: ['the containers read their secrets from files', 'the secret files are not readable by every user'],
  plan(draft) {
    const wanted = [
      ...(draft.inputs.signing === 'rs256' ? [] : [jwtAppSecretFile]),
      proxySecretFile,
      ...(backendApiOn(draft.expanded('ENABLE_BACKEND_JWT_REQUEST')) ? [backendApiKeyFile] : []),
    ];
    const dir = secretsDir(draft.checkout.configDir);
    draft.secretFiles = planSecretFiles(draft, dir, wanted);
    for (const file of draft.secretFiles.files) draft.dirs.add(path.dirname(file.path));
    if (!draft.secretFiles.summary.containerOwned) {
      draft.notes.push(
        `the secret files in ${dir} must belong to uid 1000 (the sidecar's user) and group 0 (the SP reads them as root), which only root can arrange: ${secretOwnerFix(dir)}, then start Jitsi`,
      );
    }
  },
};

// Each secret file holds its .env value and has the wanted mode and owner; a file is planned
// when its content or access differs, the folder when its access differs (or it is new).
function planSecretFiles(draft: SetupDraft, dir: string, wanted: SecretFile[]): NonNullable<SetupDraft['secretFiles']> {
  const fileAccess: FileAccess = draft.secretAccessOf(secretFileMode);
  const dirAccess: FileAccess = draft.secretAccessOf(secretDirMode);
  const files: PlannedFile[] = [];
  for (const secret of wanted) {
    const value = draft.expanded(secret.variable);
    if (value === undefined || value === '') throw new Error(`${secret.variable} is empty after setup: cannot write ${secret.name}`);
    const file = path.join(dir, secret.name);
    const before = readSecretOrNull(file);
    const after = secretFileContent(value);
    if (before === after && sameAccess(statOrNull(file), fileAccess)) continue;
    files.push({ path: file, before, after, mode: fileAccess.mode, replace: true, secret: true, holdsSecrets: false, access: fileAccess, backup: false });
  }
  return {
    files,
    dirAccess: sameAccess(statOrNull(dir), dirAccess) ? [] : [{ path: dir, access: dirAccess }],
    summary: { dir, names: wanted.map((s) => s.name), access: fileAccess, containerOwned: hasContainerOwner(fileAccess) },
  };
}

// Once setup (as root) gave them to uid 1000 and group 0, only root or uid 1000 can read them.
export function readSecretOrNull(file: string): string | null {
  try {
    return readOrNull(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    throw new InvalidInput(`cannot read ${file}: it belongs to uid 1000 and group 0, as the containers need; run setup as root (sudo)`);
  }
}
