// Everything `setup` will change, computed in memory before anything is written: the desired
// .env values, and the full new content of every file it touches. Applying is setup-apply's job.
// The plan is a list of features, each in its own module under scripts/setup/ (its flags, the
// .env lines it edits, the files it writes, its summary lines, the doctor checks that prove it),
// run in this order on one draft; the secret files and the .env come last.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { JitsiCheckout } from './jitsi-checkout';
import type { FileAccess } from './file-owner';
import type { MetadataTrust } from './metadata-trust';
import type { NewJwtKey } from './jwt-keys';
import type { SetupInputs } from './setup-inputs';
import type { SpKeyPair } from './sp-keys';
import { advancedMode } from './setup/advanced-mode';
import { clients } from './setup/clients';
import { composeSecrets } from './setup/compose-secrets';
import { SetupDraft, type SetupFeature } from './setup/draft';
import { idpSource } from './setup/idp-source';
import { jitsiAuth } from './setup/jitsi-auth';
import { lobby } from './setup/lobby';
import { moderators } from './setup/moderators';
import { oidc } from './setup/oidc';
import { readonlyNames } from './setup/readonly-names';
import { visitors } from './setup/visitors';
import { overlays } from './setup/overlays';
import { replicas } from './setup/replicas';
import { sidecarSecrets } from './setup/sidecar-secrets';
import { signing } from './setup/signing';
import { spKeyPair } from './setup/sp-key-pair';
import { spMetadata } from './setup/sp-metadata';
import { spMode } from './setup/sp-mode';

export { appSecretNote, keyServerUrl } from './setup/signing';
export { isStrongSecret } from './setup/strong-secret';

export interface PlannedFile {
  path: string; // absolute
  before: string | null; // null: the file does not exist yet
  after: string;
  mode: number; // for a new file; an existing one keeps its own, unless holdsSecrets
  replace: boolean; // false: must not exist when we write it (keys)
  secret: boolean; // never print its content (private key)
  holdsSecrets: boolean; // .env: always 0600 and owned by the invoking user, like its backups
  /** Exact mode and owner, whatever the file had (the secret files); wins over mode and holdsSecrets. */
  access?: FileAccess;
  /** false: no backup when it changes (a secret file: the .env holds the value and is backed up). */
  backup: boolean;
}

/** A folder that must have this mode and owner, created or not (the secrets folder). */
export interface PlannedDirAccess {
  path: string;
  access: FileAccess;
}

/** The secret files setup keeps in step with the .env (scripts/secret-files.ts). */
export interface PlannedSecretFiles {
  dir: string;
  names: string[];
  access: FileAccess; // of each file
  /** false when setup cannot give them to the containers' users (not root): the operator must. */
  containerOwned: boolean;
}

export interface SetupSummary {
  tokenAuthUrl: string;
  tokenLogoutUrl: string;
  /** Which Jitsi clients can sign in after this run, one line each. */
  clients: string[];
  spMetadataUrl: string;
  spEntityId: string;
  nextCommand: string;
  attributes: string[];
  notes: string[];
  /** Absent when the SP has no SAML at all (OpenID Connect alone). */
  metadataTrust?: MetadataTrust;
}

export interface SetupPlan {
  files: PlannedFile[]; // only files whose content changes; .env (if it changes) is last
  dirs: string[]; // folders to create, parents first
  dirAccess: PlannedDirAccess[]; // folders (new or not) whose mode and owner change
  secretFiles: PlannedSecretFiles;
  envKeysChanged: string[];
  generated: string[]; // human lines: secrets and keys made in this run
  secretRotated: boolean; // a strong JWT_APP_SECRET is replaced (--rotate-secret)
  summary: SetupSummary;
}

export interface PlanContext {
  packageRootDir: string;
  /** Makes the SP key pair; null in a dry run (RSA keygen is slow and its output is never shown). */
  makeSpKeys: ((host: string, entityId: string) => SpKeyPair) | null;
  newSecret?: () => string;
  /** Makes the first RS256 signing key; null in a dry run (like makeSpKeys). */
  makeJwtKey?: (() => NewJwtKey) | null;
  /** Mode and owner of the secret files and their folder; default: scripts/secret-files.ts's rule for this process. */
  secretAccess?: (mode: number) => FileAccess;
}

/** The features of a setup run, in the order they edit the plan. */
export const SETUP_FEATURES: readonly SetupFeature[] = [
  jitsiAuth,
  signing,
  spMode,
  idpSource,
  sidecarSecrets,
  replicas,
  moderators,
  lobby,
  readonlyNames,
  visitors,
  spKeyPair,
  spMetadata, // after the key pair: the metadata lists its certificate
  oidc,
  clients,
  advancedMode,
  overlays,
  composeSecrets, // after every feature that edits a secret in the .env
];

export const releasedAttributes = [
  'mail',
  'displayName',
  'eduPersonPrincipalName',
  'pairwise-id / subject-id',
  'eduPersonScopedAffiliation',
  'eduPersonEntitlement',
];

/** What an OpenID provider must send (scopes openid profile email; groups or roles only for the policy). */
export const oidcClaims = ['sub', 'name', 'email with email_verified', 'groups or roles (optional, for the policy)'];

export function planSetup(checkout: JitsiCheckout, inputs: SetupInputs, ctx: PlanContext): SetupPlan {
  const draft = new SetupDraft(checkout, inputs, ctx);
  for (const feature of SETUP_FEATURES) feature.plan(draft);
  return finish(draft);
}

// .env last: once it is in place, everything it points at is already there.
function finish(draft: SetupDraft): SetupPlan {
  const { checkout, inputs } = draft;
  const envAfter = draft.env.toString();
  const secretFiles = draft.secretFiles;
  if (!secretFiles) throw new Error('setup: the compose secrets must be planned');
  // A file with an exact access (OIDC's secret files) is planned only when content or access differ.
  const changedFiles = [...draft.files.filter((f) => f.before !== f.after || f.access !== undefined), ...secretFiles.files];
  // The .env we write always holds JWT_APP_SECRET and SIDECAR_PROXY_SECRET (and gen-passwords.sh's
  // passwords): it is private, whatever mode `cp env.example .env` gave it.
  if (envAfter !== checkout.envText) {
    changedFiles.push({ path: checkout.envPath, before: checkout.envText, after: envAfter, mode: 0o600, replace: true, secret: false, holdsSecrets: true, backup: true });
  }
  return {
    files: changedFiles,
    dirs: missingDirs([...draft.dirs]),
    dirAccess: [...secretFiles.dirAccess, ...draft.dirAccess],
    secretFiles: secretFiles.summary,
    envKeysChanged: draft.changed,
    generated: draft.generated,
    secretRotated: draft.secretRotated,
    summary: {
      tokenAuthUrl: draft.tokenAuthUrl,
      tokenLogoutUrl: draft.tokenLogoutUrl,
      clients: draft.clients,
      spMetadataUrl: draft.spMetadataUrl,
      spEntityId: inputs.spEntityId,
      nextCommand: draft.composeCommand(),
      attributes: releasedAttributes,
      notes: draft.notes,
      metadataTrust: draft.metadataTrust,
    },
  };
}

// Every folder that does not exist yet, parents before children.
function missingDirs(wanted: string[]): string[] {
  const out = new Set<string>();
  for (const dir of wanted) {
    const chain: string[] = [];
    for (let d = dir; !fs.existsSync(d) && d !== path.dirname(d); d = path.dirname(d)) chain.unshift(d);
    chain.forEach((d) => out.add(d));
  }
  return [...out].sort((a, b) => a.split(path.sep).length - b.split(path.sep).length);
}
