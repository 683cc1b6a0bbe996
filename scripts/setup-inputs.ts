// What `setup` is asked to do: its flags, and the resolved, validated inputs built from the flags,
// the existing .env (a re-run needs no flags again) and, on a terminal, the operator's answers.
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EnvFile } from '../sidecar/src/config/env-file';
import {
  InvalidInput,
  checkDiscoveryUrl,
  checkEntityId,
  checkMdqUrl,
  checkMetadataUrl,
  checkPublicUrl,
  checkServerName,
} from './input-checks';
import { metadataTrustAdvice } from './metadata-trust';
import { testIdp as findTestIdp, type TestIdp } from './test-idp';
import { parseCommandLine } from '../sidecar/src/command-line';
import { stringify as stringifyYaml } from 'yaml';
import { missingSpInfoFields, parseSpInfoYaml, readSpInfo, SpInfoError, withField, type SpInfo } from './sp-metadata/sp-info';

export type SamlMode = 'path' | 'host';
export type SpTemplate = 'direct' | 'discovery' | 'federation' | 'mdq';
/** How tokens are signed: the shared JWT_APP_SECRET, or our private keys and a key server. */
export type Signing = 'hs256' | 'rs256';

export interface SetupFlags {
  jitsiDir?: string;
  publicUrl?: string;
  mode?: string;
  serverName?: string;
  metadataUrl?: string;
  idpEntityId?: string;
  discoveryUrl?: string;
  mdqUrl?: string;
  metadataSigningCert?: string;
  metadataFile?: string;
  metadataTlsCa?: string;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecretFile?: string;
  oidcTlsCa?: string;
  spLogin?: string;
  spEntityId?: string;
  template?: string;
  testIdp: boolean;
  moderators?: string;
  spInfo?: string;
  waitForHost: boolean;
  lobby: boolean;
  readonlyNames: boolean;
  visitors: boolean;
  guests: boolean;
  signing?: string;
  inlineLogin: boolean;
  ha: boolean;
  rotateSecret: boolean;
  removeOldBackups: boolean;
  dryRun: boolean;
  nonInteractive: boolean;
  yes: boolean;
  help: boolean;
}

const setupOptions = {
  'public-url': { type: 'string' },
  mode: { type: 'string' },
  'server-name': { type: 'string' },
  'metadata-url': { type: 'string' },
  'idp-entity-id': { type: 'string' },
  'discovery-url': { type: 'string' },
  'mdq-url': { type: 'string' },
  'metadata-signing-cert': { type: 'string' },
  'metadata-file': { type: 'string' },
  'metadata-tls-ca': { type: 'string' },
  'oidc-issuer': { type: 'string' },
  'oidc-client-id': { type: 'string' },
  'oidc-client-secret-file': { type: 'string' },
  'oidc-tls-ca': { type: 'string' },
  'sp-login': { type: 'string' },
  'sp-entity-id': { type: 'string' },
  template: { type: 'string' },
  moderators: { type: 'string' },
  'sp-info': { type: 'string' },
  'wait-for-host': { type: 'boolean' },
  lobby: { type: 'boolean' },
  'readonly-names': { type: 'boolean' },
  visitors: { type: 'boolean' },
  'test-idp': { type: 'boolean' },
  guests: { type: 'boolean' },
  signing: { type: 'string' },
  'inline-login': { type: 'boolean' },
  ha: { type: 'boolean' },
  'rotate-secret': { type: 'boolean' },
  'remove-old-backups': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'non-interactive': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Throws UsageError (exit 2) for an unknown option, a missing value or a second folder. */
export function parseSetupArgs(argv: string[]): SetupFlags {
  const { values: v, positionals } = parseCommandLine(argv, { options: setupOptions, maxPositionals: 1 });
  return {
    jitsiDir: positionals[0],
    publicUrl: v['public-url'],
    mode: v.mode,
    serverName: v['server-name'],
    metadataUrl: v['metadata-url'],
    idpEntityId: v['idp-entity-id'],
    discoveryUrl: v['discovery-url'],
    mdqUrl: v['mdq-url'],
    metadataSigningCert: v['metadata-signing-cert'],
    metadataFile: v['metadata-file'],
    metadataTlsCa: v['metadata-tls-ca'],
    oidcIssuer: v['oidc-issuer'],
    oidcClientId: v['oidc-client-id'],
    oidcClientSecretFile: v['oidc-client-secret-file'],
    oidcTlsCa: v['oidc-tls-ca'],
    spLogin: v['sp-login'],
    spEntityId: v['sp-entity-id'],
    template: v.template,
    moderators: v.moderators,
    spInfo: v['sp-info'],
    waitForHost: v['wait-for-host'] ?? false,
    lobby: v.lobby ?? false,
    readonlyNames: v['readonly-names'] ?? false,
    visitors: v.visitors ?? false,
    testIdp: v['test-idp'] ?? false,
    guests: v.guests ?? false,
    signing: v.signing,
    inlineLogin: v['inline-login'] ?? false,
    ha: v.ha ?? false,
    rotateSecret: v['rotate-secret'] ?? false,
    removeOldBackups: v['remove-old-backups'] ?? false,
    dryRun: v['dry-run'] ?? false,
    nonInteractive: v['non-interactive'] ?? false,
    yes: v.yes ?? false,
    help: v.help ?? false,
  };
}

export const setupUsage = `usage: jitsi-saml2jwt setup <docker-jitsi-meet dir> [options]

  --public-url URL            meeting URL (default: PUBLIC_URL of the .env)
  --mode path|host            path: Jitsi's nginx proxies /saml2jwt/ (default); host: the SP has its own name
  --server-name HOST[:PORT]   the SP's own host name (host mode)
  --metadata-url URL          where the SP fetches the IdP's (or federation's) metadata
  --metadata-file F           the IdP's metadata as a local file instead (template "direct" only)
  --metadata-signing-cert F   PEM that signs the metadata (required with a federation; direct: optional)
  --metadata-tls-ca F         PEM of the private CA that issued the https metadata server's certificate
                              (default: the system CAs)
  --idp-entity-id ID          log in at this one IdP (template "direct")
  --discovery-url URL         let users pick their IdP at this discovery service (template "discovery",
                              or "federation" with --metadata-signing-cert)
  --mdq-url URL               the federation's MDQ service (one IdP at a time; with --discovery-url and
                              --metadata-signing-cert): for eduGAIN-sized federations, instead of a
                              whole aggregate (template "mdq"); --metadata-url or --metadata-file
                              may add IdPs the service does not serve
  --oidc-issuer URL           OpenID Connect beside SAML: the provider's issuer (https, exactly as its
                              discovery document says); prints the redirect URI to register there
  --oidc-client-id ID         the client id the provider gave this SP
  --oidc-client-secret-file F file holding the client secret (copied into the SP key folder, 0440;
                              never written to the .env); asked without echo on a terminal
  --oidc-tls-ca F             PEM of the private CA of the provider's https server (default: system CAs)
  --sp-login saml|oidc|both   which logins the SP offers (default: both once --oidc-issuer is given;
                              saml empties the OIDC_* variables)
  --template T                direct | discovery | federation | mdq (normally inferred)
  --sp-entity-id ID           the SP's entityID (default <public url>/saml2jwt/shibboleth)
  --sp-info FILE              what your federation's registrar wants to know (names, URLs, contacts;
                              compose-overlay/sp-info.example.yml): writes the SP metadata to
                              upload, \${CONFIG}/saml2jwt/sp-metadata.xml, which the SP also serves;
                              asks on a terminal for required fields the file lacks. Kept for re-runs
  --test-idp                  use the compose test IdP (profile test-idp); for trying things out
  --moderators FILE           policy file deciding who is moderator (enables token_affiliation, and
                              token_lobby_bypass when the policy grants lobby_bypass)
  --wait-for-host             with --moderators: guests wait in the lobby until any signed-in user
                              (not only a moderator) has joined (muc_wait_for_host,
                              WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1)
  --lobby                     with --moderators: every new meeting starts with its lobby on
                              (lobby_autostart, persistent_lobby); moderators and users the policy
                              grants lobby_bypass go straight in, everyone else knocks. A run
                              without it removes what an earlier --lobby added
  --readonly-names            display names come only from the IdP (muc_displayname; every token
                              gets name-readonly unless a policy rule says false); a run without
                              it turns this off again
  --visitors                  check that the checkout runs Jitsi's visitors, which a policy's
                              role: visitor needs (ENABLE_VISITORS, visitor prosody instances)
  --guests                    let people without an account join (ENABLE_GUESTS=1)
  --signing rs256|hs256       rs256 (recommended): tokens signed with a private key only the sidecar
                              holds; Prosody fetches the public key from the sidecar's key server
                              (JWT_ASAP_KEYSERVER) and gets no shared secret. hs256: the shared
                              JWT_APP_SECRET (restored if an rs256 run commented it out).
                              Default: the mode the .env is in (JWT_SIGNING), else hs256
  --inline-login              sign in and renew in a popup without leaving the meeting, log out
                              silently (config.tokenAuthInline = true; path mode only)
  --ha                        two SP and two sidecar replicas with sessions in memcached
                              (saml2jwt-ha.yml; path mode, backend API off)
  --rotate-secret             replace JWT_APP_SECRET even though it is strong (logs everyone out);
                              on a terminal, offers to remove the .env backups that hold the old one
  --remove-old-backups        remove the .env backups that hold an old JWT_APP_SECRET (with or
                              without --rotate-secret); never asked without a terminal
  --dry-run                   show the diff of every file it would change; change nothing
  --non-interactive           never prompt; missing input is an error (exit 2)
  -y, --yes                   do not ask for confirmation on a terminal
  -h, --help                  show this help

  F is a file on this machine (copied into the SP key folder, \${CONFIG}/saml2jwt/sp/) or a path
  inside the SP container under /etc/shibboleth/.

${metadataTrustAdvice}`;

/** Asks the operator one question; returns the answer ('' when they just press enter). */
export type Ask = (question: string) => Promise<string>;

/** A file the SP reads: METADATA_SIGNING_CERT, METADATA_FILE or METADATA_TLS_CA. */
export interface SpFile {
  hostPath?: string; // a file on this machine, copied into the SP key folder
  containerPath: string; // what the variable says (a path inside the SP container)
}
export type MetadataSigningCert = SpFile;

export interface SetupInputs {
  publicUrl: string;
  writePublicUrl: boolean; // PUBLIC_URL is given as a flag/answer and differs from the .env
  mode: SamlMode;
  serverName?: string;
  /** Absent with ssoUrl: no SAML at all (OpenID Connect alone, no IdP named). */
  template?: SpTemplate;
  spEntityId: string;
  metadataUrl?: string; // absent with metadataFile
  metadataFile?: SpFile;
  metadataTlsCa?: SpFile; // absent: the system CAs
  ssoUrl?: string;
  metadataSigningCert?: MetadataSigningCert;
  /** The mdq template's service (MDQ_URL), ending in a slash. */
  mdqUrl?: string;
  moderatorsPolicy?: string; // absolute path of the operator's policy file
  waitForHost: boolean; // only with moderatorsPolicy
  lobby: boolean; // only with moderatorsPolicy
  readonlyNames: boolean;
  visitors: boolean;
  guests: boolean;
  signing: Signing;
  inlineLogin: boolean; // path mode only
  ha: boolean;
  rotateSecret: boolean;
  testIdp?: TestIdp;
  /** --sp-info, complete: the registrar-facing SP metadata is written from it. */
  spInfo?: { info: SpInfo; text: string };
  spLogin: SpLogin;
  /** OpenID Connect beside (or instead of) SAML; absent with SP_LOGIN=saml. */
  oidc?: OidcInputs;
}

export type SpLogin = 'saml' | 'oidc' | 'both';

export interface OidcInputs {
  issuer: string;
  clientId: string;
  /** The client secret to write; undefined: keep the file an earlier run wrote (OIDC_CLIENT_SECRET_FILE). */
  clientSecret?: string;
  tlsCa?: SpFile; // absent: the system CAs
}

export class MissingInput extends Error {
  constructor(readonly missing: string[]) {
    super(`missing input: ${missing.join('; ')}`);
    this.name = 'MissingInput';
  }
}

const templateAliases: Record<string, SpTemplate> = {
  direct: 'direct',
  discovery: 'discovery',
  federation: 'federation',
  mdq: 'mdq',
  'shibboleth2_sp_direct_idp.xml': 'direct',
  'shibboleth2_sp_discovery.xml': 'discovery',
  'shibboleth2_sp_federation.xml': 'federation',
};

/** The SP key folder inside the SP container (host: ${CONFIG}/saml2jwt/sp/). */
export const spKeysInContainer = '/etc/shibboleth/keys';
export const metadataSigningCertFile = 'metadata-signing-cert.pem';
export const metadataFileName = 'idp-metadata.xml';
export const metadataTlsCaFile = 'metadata-tls-ca.pem';
export const oidcClientSecretFile = 'oidc-client-secret';
export const oidcCryptoPassphraseFile = 'oidc-crypto-passphrase';
export const oidcTlsCaFile = 'oidc-tls-ca.pem';

/**
 * Builds the inputs: flags first, then what the .env already says, then (when ask is given)
 * the operator's answers. Without ask, anything still missing throws MissingInput.
 */
export async function resolveInputs(flags: SetupFlags, env: EnvFile, ask?: Ask, askSecret?: Ask): Promise<SetupInputs> {
  const missing: string[] = [];
  const fromEnv = (key: string): string | undefined => env.expanded(key) || undefined;
  const needed = async (what: string, flagHint: string, question: string, check: (v: string) => string): Promise<string | undefined> => {
    if (!ask) {
      missing.push(`${what} (${flagHint})`);
      return undefined;
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = (await ask(question)).trim();
      if (!answer) continue;
      try {
        return check(answer);
      } catch (err) {
        process.stderr.write(`  ${(err as Error).message}\n`);
      }
    }
    throw new InvalidInput(`no valid ${what} given`);
  };

  // Public URL
  const envPublicUrl = fromEnv('PUBLIC_URL');
  let publicUrl: string | undefined;
  if (flags.publicUrl !== undefined) publicUrl = checkPublicUrl(flags.publicUrl);
  else if (envPublicUrl) publicUrl = checkPublicUrl(envPublicUrl);
  else publicUrl = await needed('public URL', '--public-url', 'Public URL of your Jitsi Meet (https://...): ', checkPublicUrl);
  const writePublicUrl = publicUrl !== undefined && (!envPublicUrl || safePublicUrl(envPublicUrl) !== publicUrl);

  // Mode and the SP's own name
  const modeText = flags.mode ?? fromEnv('SAML2JWT_MODE') ?? 'path';
  if (modeText !== 'path' && modeText !== 'host') throw new InvalidInput(`--mode must be "path" or "host", not "${modeText}"`);
  const mode: SamlMode = modeText;
  let serverName: string | undefined;
  if (mode === 'host') {
    const given = flags.serverName ?? fromEnv('SERVER_NAME');
    serverName = given !== undefined
      ? checkServerName(given)
      : await needed('server name', '--server-name', 'Host name of the SP (host mode), e.g. login.example.org: ', checkServerName);
  } else if (flags.serverName !== undefined) {
    throw new InvalidInput('--server-name is only for --mode host');
  }
  // Replicas cannot share host mode's one published TLS port.
  if (flags.ha && mode === 'host') throw new InvalidInput('--ha runs in path mode only: two SP replicas cannot publish the one host-mode port (use --mode path)');

  const { spLogin, oidc } = await resolveOidc(flags, fromEnv, askSecret);
  // OpenID Connect alone needs no IdP: SAML is set up then only when a flag or the .env names a source.
  const samlSourceNamed = [flags.idpEntityId, flags.discoveryUrl, flags.metadataUrl, flags.metadataFile, flags.mdqUrl, flags.template]
    .some((v) => v !== undefined) || flags.testIdp || ['SSO_URL', 'METADATA_URL', 'METADATA_FILE', 'MDQ_URL'].some((k) => fromEnv(k) !== undefined);
  const samlWanted = spLogin !== 'oidc' || samlSourceNamed;

  // Which IdP(s): the template and its SSO_URL
  if (flags.idpEntityId !== undefined && flags.discoveryUrl !== undefined) {
    throw new InvalidInput('give either --idp-entity-id (one IdP) or --discovery-url (users choose), not both');
  }
  const metadataFlags = { '--idp-entity-id': flags.idpEntityId, '--discovery-url': flags.discoveryUrl, '--metadata-url': flags.metadataUrl, '--metadata-file': flags.metadataFile, '--metadata-signing-cert': flags.metadataSigningCert, '--metadata-tls-ca': flags.metadataTlsCa };
  const givenMetadataFlags = Object.entries(metadataFlags).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (flags.testIdp && givenMetadataFlags.length > 0) {
    throw new InvalidInput(`--test-idp sets the IdP, its metadata and its CA itself: drop ${givenMetadataFlags.join(' ')}`);
  }
  if (flags.metadataUrl !== undefined && flags.metadataFile !== undefined) {
    throw new InvalidInput('give either --metadata-url or --metadata-file, not both');
  }
  // A re-run without --test-idp still knows it uses the test IdP (for the --profile in the command).
  const knownTestIdp = findTestIdp(fromEnv('TEST_IDP_BASE_URL'));
  const usesTestIdp = flags.testIdp || (givenMetadataFlags.length === 0 && fromEnv('SSO_URL') === knownTestIdp.entityId);
  const signingCertArg = flags.metadataSigningCert ?? (usesTestIdp ? undefined : fromEnv('METADATA_SIGNING_CERT'));
  let metadataSigningCert = signingCertArg !== undefined ? resolveSpFile('--metadata-signing-cert', signingCertArg, metadataSigningCertFile, checkPem) : undefined;

  let template: SpTemplate | undefined;
  if (flags.template !== undefined) {
    template = templateAliases[flags.template];
    if (!template) throw new InvalidInput(`--template must be direct, discovery or federation, not "${flags.template}"`);
  }
  // MDQ: one IdP at a time from the federation's service, users choose at a discovery service.
  const mdqArg = flags.mdqUrl ?? (template === undefined && fromEnv('SHIBBOLETH_TEMPLATE_XML') === 'mdq' ? fromEnv('MDQ_URL') : undefined);
  if (mdqArg !== undefined) {
    if (flags.testIdp || flags.idpEntityId !== undefined) throw new InvalidInput('--mdq-url is for a federation whose users choose their IdP (--discovery-url), not for one IdP');
    if (template !== undefined && template !== 'mdq') throw new InvalidInput(`--mdq-url goes with the mdq template, not ${template}`);
    template = 'mdq';
  }
  const mdqUrl = mdqArg !== undefined ? checkMdqUrl(mdqArg) : undefined;
  let ssoUrl: string | undefined;
  let metadataUrl: string | undefined;
  const testIdp = usesTestIdp ? knownTestIdp : undefined;
  if (testIdp) {
    template ??= 'direct';
    ssoUrl = testIdp.entityId;
    metadataUrl = testIdp.metadataUrl;
  } else if (flags.idpEntityId !== undefined) {
    ssoUrl = checkEntityId('IdP entityID', flags.idpEntityId);
    template ??= 'direct';
  } else if (flags.discoveryUrl !== undefined) {
    ssoUrl = checkDiscoveryUrl(flags.discoveryUrl);
    template ??= metadataSigningCert ? 'federation' : 'discovery';
  } else if (samlWanted) {
    const envTemplate = fromEnv('SHIBBOLETH_TEMPLATE_XML');
    template ??= envTemplate ? templateAliases[envTemplate] : undefined;
    const envSso = fromEnv('SSO_URL');
    if (envSso) {
      ssoUrl = envSso;
      template ??= 'direct';
    } else if (ask) {
      const entity = (await ask('IdP entityID to log in at (leave empty to use a discovery service instead): ')).trim();
      if (entity) {
        ssoUrl = checkEntityId('IdP entityID', entity);
        template ??= 'direct';
      } else {
        ssoUrl = await needed('discovery URL', '--discovery-url', 'Discovery service URL (https://...): ', checkDiscoveryUrl);
        template ??= metadataSigningCert ? 'federation' : 'discovery';
      }
    } else {
      missing.push('which IdP (--idp-entity-id ID, --discovery-url URL or --test-idp)');
    }
  }
  // The SP image checks federation metadata signatures only in the federation template, where
  // users pick their IdP at a discovery service.
  if (template === 'federation' && !metadataSigningCert) {
    throw new InvalidInput('the federation template needs --metadata-signing-cert (the PEM that signs the federation metadata)');
  }
  if (template === 'mdq' && !metadataSigningCert) {
    throw new InvalidInput('--mdq-url needs --metadata-signing-cert: every answer of the MDQ service must be signed by the federation');
  }
  if (template === 'mdq' && !mdqUrl) throw new InvalidInput('the mdq template needs --mdq-url (the base URL of the federation\'s MDQ service)');
  // The SP checks signatures in direct and federation mode; discovery is the unsigned variant.
  if (template === 'discovery' && flags.metadataSigningCert !== undefined) {
    throw new InvalidInput('--metadata-signing-cert does not go with the discovery template: use --template federation (signed metadata, users choose their IdP)');
  }
  if (template === 'discovery') metadataSigningCert = undefined;
  if (template !== 'direct' && ssoUrl !== undefined) ssoUrl = checkDiscoveryUrl(ssoUrl);

  // Where the metadata comes from: a URL, or (direct only) a local file.
  let metadataFile: SpFile | undefined;
  if (!testIdp) {
    const fileArg = flags.metadataFile ?? (flags.metadataUrl === undefined ? fromEnv('METADATA_FILE') : undefined);
    if (fileArg !== undefined) {
      if (template !== 'direct' && template !== 'mdq') throw new InvalidInput(`--metadata-file (METADATA_FILE) works only with one IdP (direct) or beside MDQ, not with the ${template} template: use --metadata-url`);
      metadataFile = resolveSpFile('--metadata-file', fileArg, metadataFileName, (text, file) => checkIdpMetadata(text, file, ssoUrl));
    }
  }
  // With MDQ, a metadata URL only adds IdPs the service does not serve: optional.
  if (samlWanted && !metadataUrl && !metadataFile && (template !== 'mdq' || (flags.metadataUrl ?? fromEnv('METADATA_URL')) !== undefined)) {
    const given = flags.metadataUrl ?? fromEnv('METADATA_URL');
    const signed = metadataSigningCert !== undefined;
    metadataUrl = given !== undefined
      ? checkMetadataUrl(given, signed)
      : await needed('metadata URL', '--metadata-url', `${metadataTrustAdvice}URL of the IdP or federation metadata (https://...): `, (v) => checkMetadataUrl(v, signed));
  }

  // The CA that the https metadata server's certificate must chain to. The test IdP's CA is for
  // the test IdP only: a .env that still names it is read as "the system CAs".
  let metadataTlsCa: SpFile | undefined;
  if (testIdp) {
    metadataTlsCa = { containerPath: testIdp.tlsCa };
  } else if (flags.metadataTlsCa !== undefined) {
    if (!metadataUrl?.startsWith('https:')) {
      throw new InvalidInput('--metadata-tls-ca is the CA of an https metadata server: it needs an https --metadata-url');
    }
    metadataTlsCa = resolveSpFile('--metadata-tls-ca', flags.metadataTlsCa, metadataTlsCaFile, checkPem);
  } else {
    const envCa = fromEnv('METADATA_TLS_CA');
    if (envCa !== undefined && envCa !== knownTestIdp.tlsCa) metadataTlsCa = { containerPath: envCa };
  }

  let moderatorsPolicy: string | undefined;
  if (flags.moderators !== undefined) {
    moderatorsPolicy = path.resolve(flags.moderators);
    if (!fs.existsSync(moderatorsPolicy)) throw new InvalidInput(`--moderators: ${moderatorsPolicy} does not exist`);
  }
  if (flags.waitForHost && moderatorsPolicy === undefined) {
    throw new InvalidInput('--wait-for-host needs --moderators: without token_affiliation no one would ever be the host');
  }

  if (flags.lobby && moderatorsPolicy === undefined) {
    throw new InvalidInput('--lobby needs --moderators: with every lobby on and no moderator to skip it and admit people, everyone would wait for ever');
  }

  if (flags.inlineLogin && mode === 'host') {
    // jitsi-meet takes the popup's message only from its own origin (event.origin ===
    // window.location.origin): an SP on another host name can never answer it.
    throw new InvalidInput('--inline-login needs path mode: Jitsi accepts the login popup\'s message only from its own origin, and in host mode the SP has another host name');
  }

  if (missing.length > 0 || !publicUrl || (samlWanted && (!ssoUrl || !(metadataUrl || metadataFile || mdqUrl) || !template))) throw new MissingInput(missing);
  const spEntityId = checkEntityId('SP entityID', flags.spEntityId ?? fromEnv('SP_ENTITY_ID') ?? `${publicUrl}/saml2jwt/shibboleth`);

  return {
    publicUrl,
    writePublicUrl,
    mode,
    serverName,
    template,
    spEntityId,
    metadataUrl,
    metadataFile,
    metadataTlsCa,
    ssoUrl,
    metadataSigningCert,
    mdqUrl,
    moderatorsPolicy,
    waitForHost: flags.waitForHost,
    lobby: flags.lobby,
    readonlyNames: flags.readonlyNames,
    visitors: flags.visitors,
    guests: flags.guests,
    signing: resolveSigning(flags.signing, fromEnv('JWT_SIGNING')),
    inlineLogin: flags.inlineLogin,
    ha: flags.ha,
    rotateSecret: flags.rotateSecret,
    testIdp,
    spInfo: flags.spInfo === undefined ? undefined : await resolveSpInfo(flags.spInfo, ask),
    spLogin,
    oidc,
  };
}

/**
 * OpenID Connect: the flags first, then what an earlier run wrote to the .env (a re-run without
 * --oidc-* keeps it). The client secret comes from a file, or on a terminal from a prompt without
 * echo; a re-run keeps the file it wrote. --sp-login saml turns OpenID Connect off.
 */
async function resolveOidc(flags: SetupFlags, fromEnv: (key: string) => string | undefined, askSecret: Ask | undefined): Promise<{ spLogin: SpLogin; oidc?: OidcInputs }> {
  // A first --oidc-issuer on a SAML-only .env means both; otherwise the .env's choice stays.
  const envLogin = fromEnv('SP_LOGIN');
  const loginText = flags.spLogin ?? (flags.oidcIssuer !== undefined && (envLogin ?? 'saml') === 'saml' ? undefined : envLogin);
  if (loginText !== undefined && loginText !== 'saml' && loginText !== 'oidc' && loginText !== 'both') {
    throw new InvalidInput(`--sp-login must be saml, oidc or both, not "${loginText}"`);
  }
  const oidcFlags = { '--oidc-issuer': flags.oidcIssuer, '--oidc-client-id': flags.oidcClientId, '--oidc-client-secret-file': flags.oidcClientSecretFile, '--oidc-tls-ca': flags.oidcTlsCa };
  const given = Object.entries(oidcFlags).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (loginText === 'saml') {
    if (given.length > 0) throw new InvalidInput(`--sp-login saml turns OpenID Connect off: drop ${given.join(' ')}`);
    return { spLogin: 'saml' };
  }
  const issuerArg = flags.oidcIssuer ?? fromEnv('OIDC_ISSUER');
  if (issuerArg === undefined) {
    const needsIssuer = given.length > 0 ? given.join(' ') : flags.spLogin !== undefined ? `--sp-login ${flags.spLogin}` : undefined;
    if (needsIssuer) throw new InvalidInput(`${needsIssuer} needs --oidc-issuer (the OpenID provider's issuer, https://...)`);
    return { spLogin: 'saml' };
  }
  const issuer = checkOidcIssuer(issuerArg);
  const clientIdArg = flags.oidcClientId ?? fromEnv('OIDC_CLIENT_ID');
  if (clientIdArg === undefined) throw new InvalidInput('--oidc-issuer needs --oidc-client-id (the client id the provider gave this SP)');
  const clientId = checkOidcClientId(clientIdArg);
  let clientSecret: string | undefined;
  if (flags.oidcClientSecretFile !== undefined) {
    clientSecret = readClientSecret(flags.oidcClientSecretFile);
  } else if (fromEnv('OIDC_CLIENT_SECRET_FILE') === undefined) {
    if (!askSecret) throw new InvalidInput('--oidc-issuer needs --oidc-client-secret-file FILE (a file holding the client secret; on a terminal setup asks for it without echo)');
    clientSecret = checkClientSecret((await askSecret('OpenID Connect client secret (not shown): ')).trim(), 'the client secret');
  }
  let tlsCa: SpFile | undefined;
  if (flags.oidcTlsCa !== undefined) tlsCa = resolveSpFile('--oidc-tls-ca', flags.oidcTlsCa, oidcTlsCaFile, checkPem);
  else {
    const envCa = fromEnv('OIDC_TLS_CA');
    if (envCa !== undefined) tlsCa = { containerPath: envCa };
  }
  // SAML is always configured by setup, so the default offers both; --sp-login oidc hides SAML.
  const spLogin: SpLogin = loginText === 'oidc' ? 'oidc' : 'both';
  return { spLogin, oidc: { issuer, clientId, clientSecret, tlsCa } };
}

/** What the SP image accepts (saml2jwt-render): an https URL without query or fragment, nothing Apache would expand. */
export function checkOidcIssuer(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInput(`--oidc-issuer: "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new InvalidInput(`--oidc-issuer must be an https URL, not "${value}"`);
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(value)) throw new InvalidInput(`--oidc-issuer must have no query or fragment: "${value}"`);
  if (!/^https:\/\/[^\s"'\\$<>?#]+$/.test(value)) throw new InvalidInput(`--oidc-issuer must not contain spaces, quotes, backslashes, <, > or $: "${value}"`);
  return value;
}

function checkOidcClientId(value: string): string {
  if (!/^[^\s\x00-\x1f\x7f"\\$]+$/.test(value)) throw new InvalidInput('--oidc-client-id must be non-empty, without spaces, quotes, backslashes or $');
  return value;
}

function checkClientSecret(value: string, what: string): string {
  if (value === '') throw new InvalidInput(`${what} is empty`);
  // Pasted into a quoted Apache directive by the SP image.
  if (!/^[^\s\x00-\x1f\x7f"\\$]+$/.test(value)) throw new InvalidInput(`${what} must not contain spaces, quotes, backslashes or $`);
  return value;
}

function readClientSecret(file: string): string {
  const local = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(local, 'utf8');
  } catch {
    throw new InvalidInput(`--oidc-client-secret-file: cannot read ${local}`);
  }
  // One line, like the other secret files; a trailing newline is not part of the secret.
  return checkClientSecret(text.replace(/\r?\n$/, ''), `--oidc-client-secret-file: ${local}`);
}

/**
 * --sp-info FILE, with each required field the file lacks asked on a terminal (without one, they
 * are missing input). Kept as the operator wrote it unless answers were added.
 */
async function resolveSpInfo(file: string, ask: Ask | undefined): Promise<{ info: SpInfo; text: string }> {
  const source = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(source, 'utf8');
  } catch {
    throw new InvalidInput(`--sp-info: cannot read ${source}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseSpInfoYaml(text, source);
  } catch (err) {
    if (err instanceof SpInfoError) throw new InvalidInput(`--sp-info: ${err.message}`);
    throw err;
  }
  const missing = missingSpInfoFields(raw);
  if (missing.length > 0 && !ask) throw new MissingInput(missing.map((field) => `${field} in ${source} (--sp-info)`));
  for (const field of missing) {
    const answer = (await ask!(`SP metadata, ${field}: `)).trim();
    if (answer) raw = withField(raw, field, answer);
  }
  if (missing.length > 0) text = `# ${path.basename(source)}, completed by jitsi-saml2jwt setup\n${stringifyYaml(raw)}`;
  try {
    return { info: readSpInfo(raw, source), text };
  } catch (err) {
    if (err instanceof SpInfoError) throw new InvalidInput(`--sp-info: ${source} is not complete:\n  ${err.problems.join('\n  ')}`);
    throw err;
  }
}

function resolveSigning(flag: string | undefined, current: string | undefined): Signing {
  if (flag === undefined) return current?.trim().toUpperCase() === 'RS256' ? 'rs256' : 'hs256';
  const wanted = flag.trim().toLowerCase();
  if (wanted !== 'rs256' && wanted !== 'hs256') throw new InvalidInput(`--signing must be rs256 or hs256, got "${flag}"`);
  return wanted;
}

function safePublicUrl(value: string): string | undefined {
  try {
    return checkPublicUrl(value);
  } catch {
    return undefined;
  }
}

// A file on this machine is checked and copied into the SP key folder; a path already inside the
// container (/etc/shibboleth/...) is taken as is.
function resolveSpFile(flag: string, arg: string, nameInKeyFolder: string, check: (text: string, file: string) => void): SpFile {
  const local = path.resolve(arg);
  if (fs.existsSync(local) && fs.statSync(local).isFile()) {
    try {
      check(fs.readFileSync(local, 'utf8'), local);
    } catch (err) {
      throw err instanceof InvalidInput ? new InvalidInput(`${flag}: ${err.message}`) : err;
    }
    return { hostPath: local, containerPath: `${spKeysInContainer}/${nameInKeyFolder}` };
  }
  if (arg.startsWith('/etc/shibboleth/')) return { containerPath: arg };
  throw new InvalidInput(`${flag}: ${arg} is neither a file here nor a path inside the SP container (/etc/shibboleth/...)`);
}

function checkPem(text: string, file: string): void {
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) throw new InvalidInput(`${file} is not a PEM certificate`);
  try {
    new X509Certificate(text);
  } catch {
    throw new InvalidInput(`${file} does not parse as an X.509 certificate`);
  }
}

// In direct mode the SP keeps only the entity SSO_URL of the metadata: a file without it could
// never log anyone in.
function checkIdpMetadata(text: string, file: string, idpEntityId: string | undefined): void {
  if (!/<(?:[\w-]+:)?EntityDescriptor\b/.test(text)) throw new InvalidInput(`${file} is not SAML metadata (no EntityDescriptor)`);
  if (idpEntityId === undefined) return;
  const entities = [...text.matchAll(/<(?:[\w-]+:)?EntityDescriptor\b[^>]*\bentityID\s*=\s*["']([^"']*)["']/g)].map((m) => m[1]);
  if (!entities.includes(idpEntityId)) {
    throw new InvalidInput(`${file} has no EntityDescriptor for the IdP ${idpEntityId} (it names ${entities.join(', ') || 'no entityID'})`);
  }
}
