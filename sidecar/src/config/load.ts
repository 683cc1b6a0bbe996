// Environment -> one validated Config. Every variable, its default and why is documented once, in
// .env_ref at the repository root; this file is the one place those defaults live in code.
// All problems are collected and reported together, one line each, naming the variable.
import { ATTRIBUTE_NAMES, OWNER_ID_ATTRIBUTES, SAML_ATTRIBUTES, SP_IDENTITY_HEADERS, type AttributeName } from '../identity/attributes';
import type { AvatarMode, Config, IdentityConfig, KeysConfig, SigningMode, TokenMode } from './config';
import { androidPackageProblem, appSchemeProblem, DEFAULT_APP_LINKS, type AppLinkConfig } from './app-links';
import { BOOLEAN_SPELLINGS, parseBoolean } from './boolean';
import { readBranding } from './branding';
import { normalPublicUrl, publicUrlProblem } from './public-url';
import { readSecretFile } from './secret-file';
import { secretProblem } from './secret-strength';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const PROXY_SECRET_HEADER = 'x-saml2jwt-proxy-secret';

export const DEFAULT_USER_ID_ATTRIBUTES: AttributeName[] = ['pairwise-id', 'subject-id', 'eppn', 'persistent-id', 'oidc-sub', 'mail'];
export const DEFAULT_OWNER_ID_ATTRIBUTES: AttributeName[] = ['subject-id', 'pairwise-id', 'eppn', 'oidc-sub'];


const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads variables, remembering problems instead of stopping at the first. */
class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Record<string, string | undefined>) {}

  /** Trimmed value; empty counts as unset (compose passes `KEY=` as ""). */
  raw(name: string): string | undefined {
    const v = this.env[name]?.trim();
    return v === undefined || v === '' ? undefined : v;
  }
  problem(name: string, message: string): void {
    this.problems.push(`${name}: ${message}`);
  }
  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }
  int(name: string, fallback: number, min: number, max: number): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}, got "${v}"`);
      return fallback;
    }
    return Number(v);
  }
  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const parsed = parseBoolean(v);
    if (parsed !== undefined) return parsed;
    this.problem(name, `must be ${BOOLEAN_SPELLINGS}, got "${v}"`);
    return fallback;
  }
  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      this.problem(name, `must be one of ${allowed.join(', ')}, got "${v}"`);
      return fallback;
    }
    return v as T;
  }
  /** A secret from NAME, or from the file NAME_FILE names (never both). */
  secret(name: string, required: boolean): string | undefined {
    let v = this.raw(name);
    const file = this.raw(`${name}_FILE`);
    if (v !== undefined && file !== undefined) {
      this.problem(name, `and ${name}_FILE are both set; set only one of them`);
      return undefined;
    }
    if (file !== undefined) {
      const read = readSecretFile(`${name}_FILE`, file);
      if ('problem' in read) {
        this.problems.push(read.problem);
        return undefined;
      }
      v = read.value;
    }
    if (v === undefined) {
      if (required) this.problem(name, `is required (at least 32 random characters, e.g. \`openssl rand -hex 32\`), or ${name}_FILE naming a file that holds it`);
      return undefined;
    }
    const problem = secretProblem(v);
    if (problem) this.problem(name, problem);
    return v;
  }
}

function readPublicUrl(r: Reader): URL | undefined {
  const publicUrl = r.raw('PUBLIC_URL');
  if (publicUrl !== undefined) {
    const problem = publicUrlProblem(publicUrl);
    if (problem) {
      r.problems.push(problem); // already names PUBLIC_URL, in the words setup and the SP use
      return undefined;
    }
    return new URL(normalPublicUrl(publicUrl));
  }
  // The reference's name: a bare host[:port]; a trailing "/" is tolerated as it was there.
  const domain = r.raw('JITSI_DOMAIN')?.replace(/\/+$/, '');
  if (domain === undefined) {
    r.problem('PUBLIC_URL', 'is required (or JITSI_DOMAIN): the https:// address of your Jitsi Meet');
    return undefined;
  }
  if (!/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/.test(domain)) {
    r.problem('JITSI_DOMAIN', `must be a host name with an optional :port (use PUBLIC_URL for a full URL), got "${domain}"`);
    return undefined;
  }
  return new URL(`https://${domain}`);
}

function readJicofoEndpoints(r: Reader): URL[] {
  const list = r.raw('JICOFO_ROOM_ENDPOINTS');
  if (list === undefined) return [];
  const endpoints: URL[] = [];
  for (const entry of list.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    try {
      const url = /^https?:\/\//i.test(entry) ? new URL(entry) : new URL(`http://${entry}/debug`);
      if (!/^[^/?#]+$/.test(url.host) || (!/^https?:\/\//i.test(entry) && url.pathname !== '/debug')) throw new Error('bad');
      endpoints.push(url);
    } catch {
      r.problem('JICOFO_ROOM_ENDPOINTS', `"${entry}" is neither host[:port] nor an http(s) URL`);
    }
  }
  return endpoints;
}

function readIdentityConfig(r: Reader, proxySecret: string): IdentityConfig {
  const headers = {} as Record<AttributeName, string>;
  for (const [attribute, { variable, header }] of Object.entries(SAML_ATTRIBUTES) as [AttributeName, { variable: string; header: string }][]) {
    const name = r.string(variable, header).toLowerCase();
    if (!SP_IDENTITY_HEADERS.includes(name)) {
      r.problem(variable, `"${name}" is not a header our SP removes from client requests; use one of: ${SP_IDENTITY_HEADERS.join(', ')}`);
    } else if (Object.values(headers).includes(name)) {
      r.problem(variable, `"${name}" is already the header of another attribute`);
    }
    headers[attribute] = name;
  }
  const userIdOrder = readAttributeOrder(r, 'USER_ID_ATTRIBUTES', DEFAULT_USER_ID_ATTRIBUTES, ATTRIBUTE_NAMES);
  const ownerIdOrder = readAttributeOrder(r, 'PRIVATE_ROOM_OWNER_ATTRIBUTES', DEFAULT_OWNER_ID_ATTRIBUTES, OWNER_ID_ATTRIBUTES);
  const identity: IdentityConfig = { headers, userIdOrder, ownerIdOrder, proxySecretHeader: PROXY_SECRET_HEADER, proxySecret };
  // In the SP's direct mode exactly one IdP (its entityID is SSO_URL) may log users in.
  const template = r.string('SHIBBOLETH_TEMPLATE_XML', 'direct');
  const ssoUrl = r.raw('SSO_URL');
  if ((template === 'direct' || template === 'shibboleth2_sp_direct_idp.xml') && ssoUrl !== undefined) identity.expectedIdp = ssoUrl;
  // The one OpenID Connect provider the SP signs users in with (shib-image: OIDC_ISSUER).
  const oidcIssuer = r.raw('OIDC_ISSUER');
  if (oidcIssuer !== undefined) identity.expectedIssuer = oidcIssuer;
  return identity;
}

/** A comma list of attribute names, each one of `allowed` (names compared case-insensitively). */
function readAttributeOrder(r: Reader, variable: string, fallback: AttributeName[], allowed: readonly AttributeName[]): AttributeName[] {
  const order = r.raw(variable);
  if (order === undefined) return fallback;
  const byLowerName = new Map(allowed.map((a) => [a.toLowerCase(), a]));
  const names = order.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = names.filter((n) => !byLowerName.has(n.toLowerCase()));
  if (unknown.length > 0 || names.length === 0) {
    r.problem(variable, `unknown or not allowed attribute(s) ${unknown.map((u) => `"${u}"`).join(', ') || '(empty list)'}; allowed: ${allowed.join(', ')}`);
    return fallback;
  }
  return names.map((n) => byLowerName.get(n.toLowerCase()) as AttributeName);
}

function readAuthErrorPage(r: Reader, publicUrl: URL | undefined): string | undefined {
  const page = r.raw('AUTH_ERROR_PAGE');
  if (page === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(page)) {
    let url: URL | undefined;
    try {
      url = new URL(page);
    } catch {
      url = undefined;
    }
    if (!url || (publicUrl && url.origin !== publicUrl.origin)) {
      r.problem('AUTH_ERROR_PAGE', 'must be a path on the Jitsi site (e.g. static/error.html) or a URL with the same origin as PUBLIC_URL');
    }
    return page;
  }
  if (page.startsWith('//') || page.includes('\\')) r.problem('AUTH_ERROR_PAGE', 'must be a path on the Jitsi site, e.g. static/error.html');
  return page;
}

// HS256 needs the shared secret. RS256 refuses it: Prosody emits app_secret whenever
// JWT_APP_SECRET is set, so anyone holding it could still make tokens the deployment accepts.
function readAppSecret(r: Reader, signing: SigningMode): string | undefined {
  if (signing === 'HS256') return r.secret('JWT_APP_SECRET', true);
  for (const name of ['JWT_APP_SECRET', 'JWT_APP_SECRET_FILE']) {
    if (r.raw(name) !== undefined) {
      r.problem(name, 'must be unset with JWT_SIGNING=RS256: while a shared secret exists, Prosody would still accept HS256 tokens made with it by anyone who holds it (remove it here and from docker-jitsi-meet\'s .env)');
    }
  }
  return undefined;
}

function readKeysConfig(r: Reader): KeysConfig {
  const dir = r.raw('JWT_KEYS_DIR');
  if (dir === undefined) r.problem('JWT_KEYS_DIR', 'is required with JWT_SIGNING=RS256: the folder of the private keys (one PEM per key)');
  return { dir: dir ?? '', activationDelaySeconds: r.int('JWT_KEY_ACTIVATION_DELAY', 300, 0, 86400) };
}

function readAppLinks(r: Reader): AppLinkConfig {
  const checked = (name: string, fallback: string, problemOf: (value: string) => string | undefined): string => {
    const value = r.string(name, fallback);
    const problem = problemOf(value);
    if (problem) r.problem(name, problem);
    return value;
  };
  return {
    iosScheme: checked('APP_SCHEME_IOS', DEFAULT_APP_LINKS.iosScheme, appSchemeProblem),
    androidScheme: checked('APP_ANDROID_SCHEME', DEFAULT_APP_LINKS.androidScheme, appSchemeProblem),
    androidPackage: checked('APP_ANDROID_PACKAGE', DEFAULT_APP_LINKS.androidPackage, androidPackageProblem),
    electronScheme: checked('APP_SCHEME_ELECTRON', DEFAULT_APP_LINKS.electronScheme, appSchemeProblem),
  };
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const r = new Reader(env);

  const appId = r.raw('JWT_APP_ID');
  if (appId === undefined) r.problem('JWT_APP_ID', 'is required (the same value as in docker-jitsi-meet\'s .env)');
  const signing = r.oneOf<SigningMode>('JWT_SIGNING', 'HS256', ['HS256', 'RS256']);
  const appSecret = readAppSecret(r, signing);
  const keys = signing === 'RS256' ? readKeysConfig(r) : undefined;
  const audience = r.string('JWT_AUDIENCE', appId ?? '');
  const publicUrl = readPublicUrl(r);
  const xmppDomain = r.string('XMPP_DOMAIN', 'meet.jitsi').toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(xmppDomain)) r.problem('XMPP_DOMAIN', `must be a domain name, got "${xmppDomain}"`);
  const tokenMode = r.oneOf<TokenMode>('JWT_TOKEN_MODE', 'default', ['default', 'advanced']);
  const proxySecret = r.secret('SIDECAR_PROXY_SECRET', true);

  const allowUnlimited = r.bool('ALLOW_UNLIMITED_TOKENS', false);
  const maxSeconds = r.int('MAX_VALIDITY', 86400, 1, 10 * 365 * 86400);
  const defaultSeconds = r.int('DEFAULT_VALIDITY', 3600, 0, 10 * 365 * 86400);
  if (defaultSeconds === 0 && !allowUnlimited) {
    r.problem('DEFAULT_VALIDITY', '0 (tokens that never expire) needs ALLOW_UNLIMITED_TOKENS=true');
  }
  if (defaultSeconds > maxSeconds) r.problem('DEFAULT_VALIDITY', `${defaultSeconds} is greater than MAX_VALIDITY (${maxSeconds})`);
  const byRequest = r.bool('ENABLE_VALIDITY_BY_REQUEST', false);
  if (signing === 'RS256' && allowUnlimited) {
    r.problem('ALLOW_UNLIMITED_TOKENS', 'cannot be used with JWT_SIGNING=RS256: a token without exp would outlive the retirement of its key');
  }

  const mintApiEnabled = r.bool('ENABLE_BACKEND_JWT_REQUEST', false);
  const apiKey = r.secret('BACKEND_API_KEY', mintApiEnabled);

  const cfgFront = {
    host: r.string('SIDECAR_HOST', '127.0.0.1'),
    port: r.int('SIDECAR_PORT', 8080, 0, 65535),
    rateLimitPerMinute: r.int('FRONT_RATE_LIMIT', 120, 0, 1_000_000),
  };
  const backendHost = r.string('BACKEND_HOST', '127.0.0.1');
  const backendPort = r.int('BACKEND_PORT', 8081, 0, 65535);
  if (cfgFront.port !== 0 && backendPort === cfgFront.port && backendHost === cfgFront.host) {
    r.problem('BACKEND_PORT', `must differ from SIDECAR_PORT (${cfgFront.port})`);
  }
  const rateLimitPerMinute = r.int('BACKEND_RATE_LIMIT', 60, 1, 1_000_000);
  const avatar = r.oneOf<AvatarMode>('AVATAR', 'none', ['none', 'gravatar']);
  const readonlyNames = r.bool('READONLY_NAMES', false);
  const logLevel = r.oneOf('LOG_LEVEL', 'info', LOG_LEVELS);
  const authErrorPage = readAuthErrorPage(r, publicUrl);
  const serverName = r.raw('SERVER_NAME');
  const identity = readIdentityConfig(r, proxySecret ?? '');
  const endpoints = readJicofoEndpoints(r);
  const apps = readAppLinks(r);
  const { branding, problems: brandingProblems } = readBranding(
    {
      BRAND_NAME: r.raw('BRAND_NAME'),
      BRAND_LOGO_URL: r.raw('BRAND_LOGO_URL'),
      BRAND_COLOR: r.raw('BRAND_COLOR'),
      SUPPORT_URL: r.raw('SUPPORT_URL'),
      SUPPORT_EMAIL: r.raw('SUPPORT_EMAIL'),
    },
    publicUrl,
  );
  r.problems.push(...brandingProblems);

  const policyFile = r.raw('POLICY_FILE');

  if (r.problems.length > 0 || !publicUrl) throw new ConfigError(r.problems);

  const cfg: Config = {
    publicUrl,
    xmppDomain,
    jwt: { appId: appId as string, audience, signing },
    tokenMode,
    validity: { defaultSeconds, maxSeconds, allowUnlimited, byRequest, notBeforeSkewSeconds: 30 },
    avatar,
    readonlyNames,
    front: cfgFront,
    backend: { host: backendHost, port: backendPort, mintApiEnabled, rateLimitPerMinute },
    identity,
    // An answer is reused for 3 s: a burst of guests for one room asks once, and an owner who
    // has just started the meeting waits less than a guest takes to read the refusal and retry.
    jicofo: { endpoints, callTimeoutMs: 1000, totalTimeoutMs: 2000, answerTtlMs: 3000, maxQuestions: 16 },
    apps,
    branding,
    logLevel,
  };
  if (appSecret !== undefined) cfg.jwt.appSecret = appSecret;
  if (keys !== undefined) cfg.jwt.keys = keys;
  if (apiKey !== undefined && mintApiEnabled) cfg.backend.apiKey = apiKey;
  if (authErrorPage !== undefined) cfg.authErrorPage = authErrorPage;
  if (serverName !== undefined) cfg.serverName = serverName;
  if (policyFile !== undefined) cfg.policyFile = policyFile;
  return cfg;
}

const MASK = '***';

/** The effective configuration for the start-up log line; every secret masked. */
export function describeConfig(cfg: Config): Record<string, unknown> {
  return {
    publicUrl: cfg.publicUrl.href,
    xmppDomain: cfg.xmppDomain,
    jwt: {
      appId: cfg.jwt.appId,
      audience: cfg.jwt.audience,
      signing: cfg.jwt.signing,
      appSecret: cfg.jwt.appSecret === undefined ? null : MASK,
      keys: cfg.jwt.keys ? { ...cfg.jwt.keys } : null,
    },
    tokenMode: cfg.tokenMode,
    validity: { ...cfg.validity },
    avatar: cfg.avatar,
    readonlyNames: cfg.readonlyNames,
    authErrorPage: cfg.authErrorPage ?? null,
    serverName: cfg.serverName ?? null,
    front: { ...cfg.front },
    backend: {
      host: cfg.backend.host,
      port: cfg.backend.port,
      mintApiEnabled: cfg.backend.mintApiEnabled,
      apiKey: cfg.backend.apiKey === undefined ? null : MASK,
      rateLimitPerMinute: cfg.backend.rateLimitPerMinute,
    },
    identity: {
      headers: { ...cfg.identity.headers },
      userIdOrder: [...cfg.identity.userIdOrder],
      ownerIdOrder: [...cfg.identity.ownerIdOrder],
      proxySecretHeader: cfg.identity.proxySecretHeader,
      proxySecret: MASK,
      expectedIdp: cfg.identity.expectedIdp ?? null,
      expectedIssuer: cfg.identity.expectedIssuer ?? null,
    },
    policy: cfg.policyFile ?? '(built-in: everyone with a mail is a member)',
    jicofo: { ...cfg.jicofo, endpoints: cfg.jicofo.endpoints.map((u) => u.href) },
    apps: { ...cfg.apps },
    branding: { ...cfg.branding },
    logLevel: cfg.logLevel,
  };
}
