// The plan under construction: what each setup feature adds to it, in memory, before anything is
// written. A feature (scripts/setup/<feature>.ts) edits the .env through set / addToList, plans
// files with addFile, and leaves notes for the summary; setup-plan.ts runs them in order and turns
// the draft into the SetupPlan that setup-apply writes.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EditableEnvFile } from '../env-file-edit';
import type { FileAccess } from '../file-owner';
import type { JitsiCheckout } from '../jitsi-checkout';
import { secretAccess } from '../secret-files';
import { siteBase } from '../site-base';
import type { SetupInputs } from '../setup-inputs';
import type { MetadataTrust } from '../metadata-trust';
import type { Policy } from '../../sidecar/src/policy/policy';
import type { PlanContext, PlannedDirAccess, PlannedFile, PlannedSecretFiles } from '../setup-plan';

/** One feature of setup: the flags it owns, how it edits the plan, the doctor checks that prove it. */
export interface SetupFeature {
  name: string;
  /** The setup flags this feature reads (setup-inputs parses them; --help lists them). */
  flags: readonly string[];
  /** What doctor checks to prove it works, as its report words them. */
  doctorChecks: readonly string[];
  plan(draft: SetupDraft): void;
}

// The overlays in the order the summary's compose command names them; saml2jwt.yml always.
const OVERLAY_ORDER = ['saml2jwt-ha.yml', 'saml2jwt-backend.yml', 'saml2jwt-rs256.yml', 'saml2jwt-hostmode.yml', 'saml2jwt-meet-network.yml'];

export class SetupDraft {
  /** A fresh copy of the .env: the checkout's text stays the original. */
  readonly env: EditableEnvFile;
  /** .env keys this run changes, in order. */
  readonly changed: string[] = [];
  /** Human lines: secrets and keys made in this run. */
  readonly generated: string[] = [];
  readonly notes: string[] = [];
  readonly files: PlannedFile[] = [];
  readonly dirs = new Set<string>();
  readonly dirAccess: PlannedDirAccess[] = [];
  /** The compose secrets as files (compose-secrets.ts, planned last among the files). */
  secretFiles?: { files: PlannedFile[]; dirAccess: PlannedDirAccess[]; summary: PlannedSecretFiles };
  secretRotated = false;
  metadataTrust?: MetadataTrust;
  /** The SP's certificates (PEM), the signing one first: what its metadata lists. */
  spCertificates: string[] = [];
  /** The operator's policy, once --moderators has checked it. */
  policy?: Policy;
  /** Clients ready after this run, one line each (the clients feature). */
  clients: string[] = [];
  /** Compose profiles the summary's command needs (the test IdP's). */
  readonly profiles: string[] = [];
  private readonly overlays = new Set<string>();

  /** Where the browser and the IdP reach the SP: PUBLIC_URL (path mode) or https://SERVER_NAME (host mode). */
  readonly siteBase: string;
  readonly tokenAuthUrl: string;
  /** The SP's logout (SAML2 single logout when the IdP's metadata offers it), back to our signed-out page. */
  readonly tokenLogoutUrl: string;
  readonly spMetadataUrl: string;
  readonly saml2jwtDir: string;
  readonly spDir: string;
  readonly newSecret: () => string;
  readonly secretAccessOf: (mode: number) => FileAccess;

  constructor(
    readonly checkout: JitsiCheckout,
    readonly inputs: SetupInputs,
    readonly ctx: PlanContext,
  ) {
    this.env = EditableEnvFile.parse(checkout.envText);
    this.siteBase = siteBase(inputs.mode, inputs.serverName, inputs.publicUrl) as string;
    this.tokenAuthUrl = `${this.siteBase}/saml2jwt/redirectWithToken?room={room}&state={state}`;
    // With OpenID Connect on, the SP's own logout page ends both kinds of session (oidc.conf).
    this.tokenLogoutUrl = inputs.spLogin === 'saml'
      ? `${this.siteBase}/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent(`${this.siteBase}/saml2jwt/loggedOut`)}`
      : `${this.siteBase}/saml2jwt/logout`;
    this.spMetadataUrl = `${this.siteBase}/saml2jwt/Shibboleth.sso/Metadata`;
    this.saml2jwtDir = path.join(checkout.configDir, 'saml2jwt');
    this.spDir = path.join(this.saml2jwtDir, 'sp');
    this.newSecret = ctx.newSecret ?? (() => randomBytes(32).toString('hex'));
    this.secretAccessOf = ctx.secretAccess ?? ((mode: number) => secretAccess(mode));
  }

  /** The .env value as compose would read it (references expanded), or undefined. */
  expanded(key: string): string | undefined {
    return this.env.expanded(key);
  }

  set(key: string, value: string): void {
    if (this.env.set(key, value)) this.changed.push(key);
  }

  /** Sets the value, or empties a key that an earlier run set and these inputs no longer use. */
  setOrEmpty(key: string, value: string | undefined): void {
    if (value !== undefined) this.set(key, value);
    else if (this.expanded(key)) this.set(key, '');
  }

  /**
   * Adds entries to a comma list such as XMPP_MUC_MODULES, keeping its own; no duplicates.
   * Written without spaces: docker-jitsi-meet's template trims nothing, so Prosody would look for
   * a module " token_affiliation".
   */
  addToList(key: string, entries: readonly string[]): void {
    const list = this.listOf(key);
    const missing = entries.filter((entry, i) => !list.includes(entry) && entries.indexOf(entry) === i);
    this.set(key, [...list, ...missing].join(','));
  }

  /** Removes entries from a comma list, keeping the others in order; a list it empties is emptied. */
  removeFromList(key: string, entries: readonly string[]): void {
    const list = this.listOf(key);
    if (list.some((entry) => entries.includes(entry))) this.set(key, list.filter((entry) => !entries.includes(entry)).join(','));
  }

  private listOf(key: string): string[] {
    return (this.expanded(key) ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
  }

  /** Plans `file` with content `after` (written only if it differs from what is there). */
  addFile(file: string, after: string, mode: number, opts: { replace?: boolean; secret?: boolean } = {}): void {
    this.dirs.add(path.dirname(file));
    this.files.push({ path: file, before: readOrNull(file), after, mode, replace: opts.replace ?? true, secret: opts.secret ?? false, holdsSecrets: false, backup: true });
  }

  /** The summary's compose command includes this overlay (when the package ships it). */
  useOverlay(name: string): void {
    this.overlays.add(name);
  }

  composeCommand(): string {
    const shipped = (name: string): boolean => fs.existsSync(path.join(this.ctx.packageRootDir, 'compose-overlay', name));
    const files = ['-f docker-compose.yml', '-f saml2jwt.yml', ...OVERLAY_ORDER.filter((n) => this.overlays.has(n) && shipped(n)).map((n) => `-f ${n}`)];
    const profiles = this.profiles.map((p) => ` --profile ${p}`).join('');
    return `cd ${this.checkout.dir} && docker compose ${files.join(' ')}${profiles} up -d`;
  }

  /** A file of this package (compose-overlay/…), or a clear error when the package is incomplete. */
  packageFile(...parts: string[]): string {
    const file = path.join(this.ctx.packageRootDir, ...parts);
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      throw new Error(`this package is incomplete: ${file} is missing`);
    }
  }
}

export function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
