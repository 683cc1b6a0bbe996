// Everything `setup` will change, computed in memory before anything is written: the desired
// .env values, and the full new content of every file it touches. Applying is setup-apply's job.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseBoolean } from '../sidecar/src/config/boolean';
import { secretProblem } from '../sidecar/src/config/secret-strength';
import { parsePolicy } from '../sidecar/src/policy/load';
import type { Policy } from '../sidecar/src/policy/policy';
import { DEFAULT_APP_LINKS } from '../sidecar/src/config/app-links';
import { withOurBlock } from './custom-config-block';
import type { JitsiCheckout } from './jitsi-checkout';
import { EditableEnvFile } from './env-file-edit';
import { InvalidInput } from './input-checks';
import { jitsiFlag } from './jitsi-flag';
import { jitsiSendsHsts, nginxSnippet } from './nginx-snippet';
import { metadataFileName, metadataSigningCertFile, metadataTlsCaFile, type SetupInputs, type SpFile } from './setup-inputs';
import { spCertFile, spKeyFile, type SpKeyPair } from './sp-keys';
import { metadataTrust, type MetadataTrust } from './metadata-trust';
import { JWT_KEY_BITS, jwtKeysDir, type NewJwtKey } from './jwt-keys';
import { readKeyDirectory } from '../sidecar/src/token/keys/key-directory';
import type { FileAccess } from './file-owner';
import {
  backendApiKeyFile,
  hasContainerOwner,
  jwtAppSecretFile,
  proxySecretFile,
  secretAccess,
  secretDirMode,
  secretFileContent,
  secretFileMode,
  secretsDir,
  secretOwnerFix,
  type SecretFile,
} from './secret-files';

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
  metadataTrust: MetadataTrust;
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

/** Prosody reaches the key server over meet.jitsi; the sidecar image's backend port is 8081. */
export const keyServerUrl = 'http://saml2jwt.meet.jitsi:8081/asap';
/** Ends the JWT_APP_SECRET line an rs256 run comments out; an hs256 run looks for it. */
export const appSecretNote = 'jitsi-saml2jwt: unused with JWT_SIGNING=RS256 (Prosody would still accept HS256 tokens made with it); setup --signing hs256 restores it';

export const placeholderAppIds = ['', 'my_jitsi_app_id'];
export const defaultAppId = 'jitsi';
export const policyInContainer = '/config/policy/policy.yml';
export const moderatorModule = 'token_affiliation';
export const lobbyBypassModule = 'token_lobby_bypass';
export const waitForHostModule = 'muc_wait_for_host';
export const persistentLobbyModule = 'persistent_lobby';
export const releasedAttributes = [
  'mail',
  'displayName',
  'eduPersonPrincipalName',
  'pairwise-id / subject-id',
  'eduPersonScopedAffiliation',
  'eduPersonEntitlement',
];

const templateValue = { direct: 'direct', discovery: 'discovery', federation: 'federation' } as const;

/** A secret worth keeping: one the sidecar accepts at start (its own rule, shared with doctor). */
export function isStrongSecret(value: string | undefined): value is string {
  return value !== undefined && secretProblem(value) === undefined;
}

/** What --wait-for-host does for this deployment (mod_muc_wait_for_host: any token user is the host). */
function waitForHostNote(guests: boolean): string {
  return guests
    ? 'wait for host: guests wait in the lobby until the first signed-in user (any token, student or staff) has joined; then they are let in'
    : 'wait for host: guests are off (ENABLE_GUESTS), so nobody waits: everyone signs in, and any signed-in user counts as the host';
}

export function planSetup(checkout: JitsiCheckout, inputs: SetupInputs, ctx: PlanContext): SetupPlan {
  const newSecret = ctx.newSecret ?? (() => randomBytes(32).toString('hex'));
  const env = EditableEnvFile.parse(checkout.envText); // a fresh copy: the checkout's stays the original
  const changed: string[] = [];
  const generated: string[] = [];
  const set = (key: string, value: string): void => {
    if (env.set(key, value)) changed.push(key);
  };
  /**
   * Adds modules to a comma list such as XMPP_MUC_MODULES, keeping its entries; no duplicates.
   * Written without spaces: docker-jitsi-meet's template trims nothing, so Prosody would look for
   * a module " token_affiliation".
   */
  const addToList = (key: string, entries: readonly string[]): void => {
    const list = (env.expanded(key) ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    const missing = entries.filter((entry, i) => !list.includes(entry) && entries.indexOf(entry) === i);
    set(key, [...list, ...missing].join(','));
  };

  const siteBase = inputs.mode === 'host' ? `https://${inputs.serverName}` : inputs.publicUrl;
  const spHost = new URL(siteBase).hostname;
  const tokenAuthUrl = `${siteBase}/saml2jwt/redirectWithToken?room={room}&state={state}`;
  // The SP's logout (SAML2 single logout with the IdP when its metadata offers it, else local),
  // back to our signed-out page, which tells Jitsi's silent-logout iframe (logged-out-page.ts).
  const tokenLogoutUrl = `${siteBase}/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent(`${siteBase}/saml2jwt/loggedOut`)}`;
  const spMetadataUrl = `${siteBase}/saml2jwt/Shibboleth.sso/Metadata`;

  // --- Jitsi's own auth settings
  if (inputs.writePublicUrl) set('PUBLIC_URL', inputs.publicUrl);
  set('ENABLE_AUTH', '1');
  set('AUTH_TYPE', 'jwt');
  const appId = env.expanded('JWT_APP_ID');
  if (appId === undefined || placeholderAppIds.includes(appId)) set('JWT_APP_ID', defaultAppId);
  const rs256 = inputs.signing === 'rs256';
  if (rs256 && inputs.rotateSecret) throw new InvalidInput('--rotate-secret is for HS256; with --signing rs256 there is no shared secret (add a key with `jitsi-saml2jwt keys rotate`)');
  let secretRotated = false;
  if (rs256) {
    // docker-jitsi-meet gives Prosody app_secret whenever JWT_APP_SECRET is non-empty, and the
    // sidecar refuses it in RS256 mode: keep the value only as a comment, for --signing hs256.
    if (env.commentOut('JWT_APP_SECRET', appSecretNote)) changed.push('JWT_APP_SECRET (commented out)');
    set('JWT_SIGNING', 'RS256');
    set('JWT_SIGN_TYPE', 'RS256');
    set('JWT_ASAP_KEYSERVER', keyServerUrl);
  } else {
    if (env.uncomment('JWT_APP_SECRET', appSecretNote)) changed.push('JWT_APP_SECRET (restored)');
    for (const key of ['JWT_SIGNING', 'JWT_SIGN_TYPE', 'JWT_ASAP_KEYSERVER']) if (env.expanded(key)) set(key, '');
    const secret = env.expanded('JWT_APP_SECRET');
    secretRotated = inputs.rotateSecret && isStrongSecret(secret);
    if (inputs.rotateSecret || !isStrongSecret(secret)) {
      set('JWT_APP_SECRET', newSecret());
      generated.push(secretRotated ? 'JWT_APP_SECRET rotated (every issued token is now invalid)' : 'JWT_APP_SECRET generated (64 hex characters)');
    }
  }
  set('JWT_ENABLE_DOMAIN_VERIFICATION', 'true');
  set('TOKEN_AUTH_URL', tokenAuthUrl);
  if (inputs.guests) set('ENABLE_GUESTS', '1');

  // --- ours
  set('SAML2JWT_MODE', inputs.mode);
  if (inputs.mode === 'host' && inputs.serverName) set('SERVER_NAME', inputs.serverName);
  set('SHIBBOLETH_TEMPLATE_XML', templateValue[inputs.template]);
  set('SP_ENTITY_ID', inputs.spEntityId);
  set('SSO_URL', inputs.ssoUrl);
  // How the metadata is found and authenticated. A variable these inputs do not use is emptied,
  // not left behind: the test IdP's CA (METADATA_TLS_CA) must never vouch for another metadata
  // server, and the SP refuses METADATA_URL and METADATA_FILE together.
  const setOrEmpty = (key: string, value: string | undefined): void => {
    if (value !== undefined) set(key, value);
    else if (env.expanded(key)) set(key, '');
  };
  setOrEmpty('METADATA_URL', inputs.metadataUrl);
  setOrEmpty('METADATA_FILE', inputs.metadataFile?.containerPath);
  setOrEmpty('METADATA_SIGNING_CERT', inputs.metadataSigningCert?.containerPath);
  setOrEmpty('METADATA_TLS_CA', inputs.metadataTlsCa?.containerPath);
  const trust = metadataTrust({
    metadataUrl: inputs.metadataUrl,
    metadataFile: inputs.metadataFile?.containerPath,
    signingCert: inputs.metadataSigningCert?.containerPath,
    tlsCa: inputs.metadataTlsCa?.containerPath,
  });
  // The overlay builds our images from this package unless they exist: point it here once.
  if (!env.expanded('SAML2JWT_SRC')) set('SAML2JWT_SRC', ctx.packageRootDir);
  if (!isStrongSecret(env.expanded('SIDECAR_PROXY_SECRET'))) {
    set('SIDECAR_PROXY_SECRET', newSecret());
    generated.push('SIDECAR_PROXY_SECRET generated (shared by the SP and the sidecar only)');
  }
  const backendValue = env.expanded('ENABLE_BACKEND_JWT_REQUEST');
  const backendOn = backendValue !== undefined && parseBoolean(backendValue) === true;
  // --ha: replicas with shared SP sessions (saml2jwt-ha.yml). Once written, later runs keep it.
  const haOn = inputs.ha || env.expanded('SAML2JWT_SP_REPLICAS') !== undefined;
  if (haOn) {
    if (backendOn) {
      throw new InvalidInput('--ha with the backend API (ENABLE_BACKEND_JWT_REQUEST=true) is not supported: two sidecar replicas cannot publish its one host port');
    }
    for (const key of ['SAML2JWT_SP_REPLICAS', 'SAML2JWT_SIDECAR_REPLICAS']) if (env.expanded(key) === undefined) set(key, '2');
  }
  if (backendOn && !isStrongSecret(env.expanded('BACKEND_API_KEY'))) {
    set('BACKEND_API_KEY', newSecret());
    generated.push('BACKEND_API_KEY generated (the backend API is on: ENABLE_BACKEND_JWT_REQUEST)');
  }

  // --- moderators: a policy file + Prosody's token_affiliation + no jicofo auto-owner
  const files: PlannedFile[] = [];
  const dirs = new Set<string>();
  const cfg = checkout.configDir;
  const saml2jwtDir = path.join(cfg, 'saml2jwt');
  const spDir = path.join(saml2jwtDir, 'sp');
  const policyDir = path.join(saml2jwtDir, 'policy');
  const notes: string[] = [];
  if (inputs.moderatorsPolicy) {
    const policyText = fs.readFileSync(inputs.moderatorsPolicy, 'utf8');
    const policy = checkPolicy(policyText, inputs.moderatorsPolicy);
    addFile(files, dirs, path.join(policyDir, 'policy.yml'), policyText, 0o644);
    set('POLICY_FILE', policyInContainer);
    // token_affiliation ships with jitsi-meet-prosody (/prosody-plugins), token_lobby_bypass with
    // the jitsi-contrib plugins bundled in the image (/prosody-plugins-contrib): nothing to install.
    const mucModules = [moderatorModule];
    if (policy.grantsLobbyBypass) mucModules.push(lobbyBypassModule);
    if (inputs.waitForHost) mucModules.push(waitForHostModule);
    addToList('XMPP_MUC_MODULES', mucModules);
    if (inputs.waitForHost) {
      // mod_muc_wait_for_host needs mod_persistent_lobby on the main VirtualHost; with auto owners
      // off, token_affiliation alone decides who is the host.
      addToList('XMPP_MODULES', [persistentLobbyModule]);
      set('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS', '1');
    }
    set('ENABLE_AUTO_OWNER', '0');
    notes.push(
      `roles: ${mucModules.join(', ')} in XMPP_MUC_MODULES (shipped in docker-jitsi-meet's prosody image) and jicofo's auto-owner off (ENABLE_AUTO_OWNER=0): only the people the policy names become moderators`,
    );
    if (inputs.waitForHost) notes.push(waitForHostNote(jitsiFlag(env.expanded('ENABLE_GUESTS') ?? '0') === true));
  }

  // --- SP key and certificate (never overwritten), the metadata cache folder
  const keyPath = path.join(spDir, spKeyFile);
  const certPath = path.join(spDir, spCertFile);
  const keyExists = fs.existsSync(keyPath);
  const certExists = fs.existsSync(certPath);
  if (keyExists !== certExists) {
    throw new InvalidInput(
      `${spDir} holds only ${keyExists ? spKeyFile : spCertFile}: restore the other file, or move both away to get a new pair`,
    );
  }
  if (!keyExists) {
    const pair = ctx.makeSpKeys ? ctx.makeSpKeys(spHost, inputs.spEntityId) : null;
    addFile(files, dirs, keyPath, pair?.keyPem ?? '(a new RSA 3072 private key)\n', 0o600, { replace: false, secret: true });
    addFile(files, dirs, certPath, pair?.certPem ?? `(a new self-signed certificate for ${spHost}, ${inputs.spEntityId})\n`, 0o644, {
      replace: false,
      secret: pair === null,
    });
    generated.push(`SP key and certificate generated in ${spDir} (RSA 3072, SHA-256, 10 years)`);
  }
  const copies: [SpFile | undefined, string][] = [
    [inputs.metadataSigningCert, metadataSigningCertFile],
    [inputs.metadataFile, metadataFileName],
    [inputs.metadataTlsCa, metadataTlsCaFile],
  ];
  for (const [file, name] of copies) {
    if (file?.hostPath) addFile(files, dirs, path.join(spDir, name), fs.readFileSync(file.hostPath, 'utf8'), 0o644);
  }
  const metadataDir = path.join(saml2jwtDir, 'metadata');
  if (!fs.existsSync(metadataDir)) dirs.add(metadataDir);

  const secretAccessOf = ctx.secretAccess ?? ((mode: number) => secretAccess(mode));
  // --- RS256: the first signing key (never overwritten; `keys rotate` adds the next ones)
  const jwtKeys = rs256 ? planFirstJwtKey(jwtKeysDir(cfg), ctx, secretAccessOf) : undefined;
  if (rs256 && !hasContainerOwner(secretAccessOf(0o600))) {
    notes.push(`the RS256 keys in ${jwtKeysDir(cfg)} must belong to uid 1000 (the sidecar's user), which only root can arrange: ${secretOwnerFix(jwtKeysDir(cfg))}, then start Jitsi`);
  }
  if (jwtKeys) {
    for (const file of jwtKeys.files) {
      dirs.add(path.dirname(file.path));
      files.push(file);
      generated.push(`first RS256 signing key ${path.basename(file.path)} in ${jwtKeysDir(cfg)} (RSA ${JWT_KEY_BITS}, mode 0600); it signs at once`);
    }
  }

  // --- web: tokenLogoutUrl (and tokenAuthInline) in custom-config.js, the nginx snippet (path mode)
  const customConfig = path.join(cfg, 'web', 'custom-config.js');
  const customBefore = readOrNull(customConfig);
  addFile(files, dirs, customConfig, withOurBlock(customBefore, { tokenLogoutUrl, inlineLogin: inputs.inlineLogin }), 0o644);
  if (inputs.mode === 'path') {
    const snippet = nginxSnippet(packageFile(ctx.packageRootDir, 'compose-overlay', 'nginx', 'saml2jwt.conf'), jitsiSendsHsts(env.expanded('ENABLE_HSTS')));
    addFile(files, dirs, path.join(cfg, 'web', 'nginx-custom', 'saml2jwt.conf'), snippet, 0o644);
  }

  // --- compose overlays beside docker-compose.yml
  const overlayDir = path.join(ctx.packageRootDir, 'compose-overlay');
  const overlays = fs.existsSync(overlayDir) ? fs.readdirSync(overlayDir).filter((n) => n.endsWith('.yml')).sort() : [];
  if (!overlays.includes('saml2jwt.yml')) throw new Error(`this package is incomplete: ${path.join(overlayDir, 'saml2jwt.yml')} is missing`);
  for (const name of overlays) addFile(files, dirs, path.join(checkout.dir, name), packageFile(ctx.packageRootDir, 'compose-overlay', name), 0o644);

  // --- the secrets as files for compose `secrets:`, mirrored from the .env (RS256: no app secret)
  const secretFiles = planSecretFiles(secretsDir(cfg), [...(rs256 ? [] : [jwtAppSecretFile]), proxySecretFile, ...(backendOn ? [backendApiKeyFile] : [])], env, secretAccessOf);
  for (const file of secretFiles.files) dirs.add(path.dirname(file.path));
  if (!secretFiles.summary.containerOwned) {
    notes.push(
      `the secret files in ${secretFiles.summary.dir} must belong to uid 1000 (the sidecar's user) and group 0 (the SP reads them as root), which only root can arrange: ${secretOwnerFix(secretFiles.summary.dir)}, then start Jitsi`,
    );
  }

  // .env last: once it is in place, everything it points at is already there
  const envAfter = env.toString();
  const changedFiles = [...files.filter((f) => f.before !== f.after), ...secretFiles.files];
  // The .env we write always holds JWT_APP_SECRET and SIDECAR_PROXY_SECRET (and gen-passwords.sh's
  // passwords): it is private, whatever mode `cp env.example .env` gave it.
  if (envAfter !== checkout.envText) {
    changedFiles.push({ path: checkout.envPath, before: checkout.envText, after: envAfter, mode: 0o600, replace: true, secret: false, holdsSecrets: true, backup: true });
  }

  const composeFiles = ['-f docker-compose.yml', '-f saml2jwt.yml'];
  if (haOn) {
    composeFiles.push('-f saml2jwt-ha.yml');
    notes.push('--ha: every SP replica shares the key pair and SP_ENTITY_ID, and sessions live in memcached; when memcached restarts, users sign in again (README, "Running more than one")');
  }
  if (backendOn && overlays.includes('saml2jwt-backend.yml')) composeFiles.push('-f saml2jwt-backend.yml');
  if (rs256 && overlays.includes('saml2jwt-rs256.yml')) composeFiles.push('-f saml2jwt-rs256.yml');
  if (inputs.mode === 'host' && overlays.includes('saml2jwt-hostmode.yml')) composeFiles.push('-f saml2jwt-hostmode.yml');
  // advanced mode (the sidecar's own spelling, config/load.ts): the sidecar asks Jicofo, so it must be on meet.jitsi too
  if (env.expanded('JWT_TOKEN_MODE')?.trim() === 'advanced' && overlays.includes('saml2jwt-meet-network.yml')) {
    composeFiles.push('-f saml2jwt-meet-network.yml');
  }
  const profile = inputs.testIdp ? ' --profile test-idp' : '';
  if (inputs.testIdp) notes.push(`test IdP ${inputs.testIdp.entityId}: never use the test IdP in production`);
  if (rs256) notes.push(`RS256: Prosody fetches the public keys from ${keyServerUrl}; add a key with \`jitsi-saml2jwt keys rotate --jitsi-dir ${checkout.dir}\` (no restart needed)`);
  if (inputs.mode === 'host') notes.push(`host mode: ${inputs.serverName} must resolve to this machine and its TLS certificate goes into ${spDir}/tls-cert.pem + tls-key.pem (self-signed if absent)`);

  return {
    files: changedFiles,
    dirs: missingDirs([...dirs]),
    dirAccess: [...secretFiles.dirAccess, ...(jwtKeys?.dirAccess ?? [])],
    secretFiles: secretFiles.summary,
    envKeysChanged: changed,
    generated,
    secretRotated,
    summary: {
      tokenAuthUrl,
      tokenLogoutUrl,
      clients: readyClients(inputs, env),
      spMetadataUrl,
      spEntityId: inputs.spEntityId,
      nextCommand: `cd ${checkout.dir} && docker compose ${composeFiles.join(' ')}${profile} up -d`,
      attributes: releasedAttributes,
      notes,
      metadataTrust: trust,
    },
  };
}

// The first key when the folder has none; its folder readable by the sidecar (uid 1000) only.
function planFirstJwtKey(dir: string, ctx: PlanContext, accessOf: (mode: number) => FileAccess): { files: PlannedFile[]; dirAccess: PlannedDirAccess[] } {
  const dirAccess = sameAccess(statOrNull(dir), accessOf(secretDirMode)) ? [] : [{ path: dir, access: accessOf(secretDirMode) }];
  const existing = fs.existsSync(dir) ? readKeyDirectory(dir) : undefined;
  if (existing && 'keys' in existing) return { files: [], dirAccess };
  if (existing && !existing.problems.every((p) => p.includes('holds no key'))) {
    throw new InvalidInput(`the RS256 key folder has problems; fix them first:\n  ${existing.problems.join('\n  ')}`);
  }
  const key = ctx.makeJwtKey ? ctx.makeJwtKey() : null;
  const access = accessOf(0o600);
  const file: PlannedFile = {
    path: path.join(dir, key?.name ?? '<now>.pem'),
    before: null,
    after: key?.pem ?? `(a new RSA ${JWT_KEY_BITS} private key)\n`,
    mode: access.mode,
    replace: false,
    secret: true,
    holdsSecrets: false,
    access,
    backup: false,
  };
  return { files: [file], dirAccess };
}

/** The summary's "which clients are ready" lines (README "Clients"). */
function readyClients(inputs: SetupInputs, env: EditableEnvFile): string[] {
  const value = (key: string, fallback: string): string => env.expanded(key) || fallback;
  const ios = value('APP_SCHEME_IOS', DEFAULT_APP_LINKS.iosScheme);
  const android = `${value('APP_ANDROID_SCHEME', DEFAULT_APP_LINKS.androidScheme)} / ${value('APP_ANDROID_PACKAGE', DEFAULT_APP_LINKS.androidPackage)}`;
  const electron = value('APP_SCHEME_ELECTRON', DEFAULT_APP_LINKS.electronScheme);
  return [
    'web, full-page login and logout: ready',
    inputs.inlineLogin
      ? 'web, inline login (popup, renewal without leaving the meeting, silent logout): ready (config.tokenAuthInline = true)'
      : `web, inline login: off (${inputs.mode === 'host' ? 'needs path mode' : 'turn it on with --inline-login'})`,
    `iOS app: ready (${ios}://)`,
    `Android app: ready (intent, scheme / package ${android})`,
    `desktop app (Electron): ready (${electron}://)`,
  ];
}

function addFile(
  files: PlannedFile[],
  dirs: Set<string>,
  file: string,
  after: string,
  mode: number,
  opts: { replace?: boolean; secret?: boolean } = {},
): void {
  dirs.add(path.dirname(file));
  files.push({ path: file, before: readOrNull(file), after, mode, replace: opts.replace ?? true, secret: opts.secret ?? false, holdsSecrets: false, backup: true });
}

// Each secret file holds its .env value and has the wanted mode and owner; a file is planned
// when its content or access differs, the folder when its access differs (or it is new).
function planSecretFiles(
  dir: string,
  wanted: SecretFile[],
  env: EditableEnvFile,
  accessOf: (mode: number) => FileAccess,
): { files: PlannedFile[]; dirAccess: PlannedDirAccess[]; summary: PlannedSecretFiles } {
  const fileAccess = accessOf(secretFileMode);
  const dirAccess = accessOf(secretDirMode);
  const files: PlannedFile[] = [];
  for (const secret of wanted) {
    const value = env.expanded(secret.variable);
    if (value === undefined || value === '') throw new Error(`${secret.variable} is empty after setup: cannot write ${secret.name}`);
    const file = path.join(dir, secret.name);
    const before = readSecretOrNull(file);
    const after = secretFileContent(value);
    if (before === after && sameAccess(statOrNull(file), fileAccess)) continue;
    files.push({ path: file, before, after, mode: fileAccess.mode, replace: true, secret: true, holdsSecrets: false, access: fileAccess, backup: false });
  }
  const dirChanges = sameAccess(statOrNull(dir), dirAccess) ? [] : [{ path: dir, access: dirAccess }];
  return {
    files,
    dirAccess: dirChanges,
    summary: { dir, names: wanted.map((s) => s.name), access: fileAccess, containerOwned: hasContainerOwner(fileAccess) },
  };
}

// Once setup (as root) gave them to uid 1000 and group 0, only root or uid 1000 can read them.
function readSecretOrNull(file: string): string | null {
  try {
    return readOrNull(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    throw new InvalidInput(`cannot read ${file}: it belongs to uid 1000 and group 0, as the containers need; run setup as root (sudo)`);
  }
}

function statOrNull(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    if ((err as NodeJS.ErrnoException).code === 'EACCES') throw new InvalidInput(`cannot look at ${file} (permission denied); run setup as root (sudo)`);
    throw err;
  }
}

function sameAccess(st: fs.Stats | null, access: FileAccess): boolean {
  return st !== null && (st.mode & 0o7777) === access.mode && st.uid === access.uid && st.gid === access.gid;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function packageFile(root: string, ...parts: string[]): string {
  const file = path.join(root, ...parts);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(`this package is incomplete: ${file} is missing`);
  }
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

// The sidecar's own policy parser, so setup refuses exactly what the sidecar would refuse at start.
function checkPolicy(text: string, file: string): Policy {
  try {
    return parsePolicy(text, file);
  } catch (err) {
    throw new InvalidInput(`--moderators: ${file} is not a valid policy: ${(err as Error).message}`);
  }
}
