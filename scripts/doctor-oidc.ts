// doctor, when the .env sets OIDC_ISSUER: the provider's discovery document is there and names
// exactly that issuer (mod_auth_openidc and the sidecar both compare it character for character),
// the redirect URI answers, and the client secret is a private file, not a line of the .env.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { CheckResult } from './doctor-checks';
import type { JitsiCheckout } from './jitsi-checkout';
import { oidcRedirectUri } from './setup/oidc';
import { siteBaseOf } from './site-base';
import { spKeysInContainer } from './setup-inputs';

export interface HttpAnswer {
  status: number;
  body: string;
}
/** GET url; rejects when the server cannot be reached. */
export type HttpGet = (url: string, ca?: string) => Promise<HttpAnswer>;

export interface OidcDoctorInput {
  /** The .env value as compose reads it. */
  env: (key: string) => string | undefined;
  envText: string;
  /** The SP key folder on this host (${CONFIG}/saml2jwt/sp), mounted at /etc/shibboleth/keys. */
  spDir: string;
  /** PUBLIC_URL (path mode) or https://SERVER_NAME (host mode). */
  siteBase: string | undefined;
  get?: HttpGet;
}

/** What the checkout on this host says: its .env, its SP key folder, where the SP is reached. */
export function oidcDoctorInput(checkout: JitsiCheckout): OidcDoctorInput {
  const env = (key: string): string | undefined => checkout.env.expanded(key) || undefined;
  return { env, envText: checkout.envText, spDir: path.join(checkout.configDir, 'saml2jwt', 'sp'), siteBase: siteBaseOf(checkout) };
}

export async function oidcChecks(input: OidcDoctorInput): Promise<CheckResult[]> {
  const issuer = input.env('OIDC_ISSUER');
  if (!issuer) return [];
  const get = input.get ?? httpGet;
  const ca = readHostCopy(input.spDir, input.env('OIDC_TLS_CA'));
  return [
    await discoveryCheck(issuer, get, ca),
    ...(input.siteBase ? [await redirectCheck(oidcRedirectUri(input.siteBase), get)] : []),
    secretFileCheck(input.spDir, input.env('OIDC_CLIENT_SECRET_FILE')),
    secretNotInEnvCheck(input.envText),
  ];
}

async function discoveryCheck(issuer: string, get: HttpGet, ca: string | undefined): Promise<CheckResult> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const fail = (why: string, fix: string): CheckResult => ({ ok: false, what: `the discovery document ${url} ${why}`, fix });
  let answer: HttpAnswer;
  try {
    answer = await get(url, ca);
  } catch (err) {
    return fail(`cannot be fetched (${(err as Error).message})`, 'check OIDC_ISSUER, this host\'s route to the provider, and OIDC_TLS_CA for a private CA');
  }
  if (answer.status !== 200) return fail(`answers HTTP ${answer.status}`, 'OIDC_ISSUER must be the issuer exactly as the provider states it (e.g. with its /realms/<name> or /v2.0)');
  let named: unknown;
  try {
    named = (JSON.parse(answer.body) as { issuer?: unknown }).issuer;
  } catch {
    return fail('is not JSON', 'OIDC_ISSUER must point at an OpenID provider');
  }
  if (named !== issuer) {
    return fail(`names the issuer ${JSON.stringify(named)}, not OIDC_ISSUER "${issuer}"`, `set OIDC_ISSUER=${typeof named === 'string' ? named : '<the document\'s issuer>'} (setup --oidc-issuer): the SP and the sidecar refuse ID tokens of another issuer`);
  }
  return { ok: true, what: `the discovery document ${url} names the issuer OIDC_ISSUER` };
}

// A 5xx means the SP (or the proxy before it) is broken; any other answer, a redirect to the
// provider or a 400 for a callback without a code, means the route reaches mod_auth_openidc.
async function redirectCheck(uri: string, get: HttpGet): Promise<CheckResult> {
  let answer: HttpAnswer;
  try {
    answer = await get(uri);
  } catch (err) {
    return { ok: false, warning: true, what: `the redirect URI ${uri} not checked: this host cannot reach the public URL (${(err as Error).message})`, fix: `open ${uri} from a machine that reaches it: any answer but a 5xx is fine` };
  }
  if (answer.status >= 500) return { ok: false, what: `the redirect URI ${uri} answers HTTP ${answer.status}`, fix: 'docker compose logs saml-sp (mod_auth_openidc says why), then docker compose up -d saml-sp' };
  return { ok: true, what: `the redirect URI ${uri} answers (HTTP ${answer.status})` };
}

function secretFileCheck(spDir: string, containerPath: string | undefined): CheckResult {
  if (!containerPath) return { ok: false, what: 'OIDC_CLIENT_SECRET_FILE is not set, though OIDC_ISSUER is', fix: 'jitsi-saml2jwt setup <dir> --oidc-client-secret-file FILE' };
  const hostPath = hostCopyPath(spDir, containerPath);
  if (!hostPath) return { ok: false, warning: true, what: `the client secret file ${containerPath} not checked: it is not in the SP key folder, so not on this host`, fix: 'make sure it is mode 0400 or 0440 in the SP container' };
  let mode: number;
  try {
    mode = fs.statSync(hostPath).mode & 0o7777;
  } catch {
    return { ok: false, what: `the client secret file ${hostPath} (OIDC_CLIENT_SECRET_FILE) does not exist`, fix: 'jitsi-saml2jwt setup <dir> --oidc-client-secret-file FILE' };
  }
  const shown = mode.toString(8).padStart(4, '0');
  if (mode !== 0o440 && mode !== 0o400) return { ok: false, what: `the client secret file ${hostPath} has mode ${shown}, not 0440 or 0400`, fix: `chmod 0440 ${hostPath} (the SP refuses a secret every user may read)` };
  return { ok: true, what: `the client secret file ${hostPath} is private (mode ${shown})` };
}

function secretNotInEnvCheck(envText: string): CheckResult {
  const line = envText.split('\n').find((l) => /^\s*(?:export\s+)?OIDC_CLIENT_SECRET\s*=\s*\S/.test(l));
  if (line === undefined) return { ok: true, what: 'the .env holds no OpenID Connect client secret (OIDC_CLIENT_SECRET_FILE names a file)' };
  return { ok: false, what: 'the .env holds the OpenID Connect client secret (an OIDC_CLIENT_SECRET= line with a value): docker inspect and every .env backup show it', fix: 'put it in a file (setup --oidc-client-secret-file FILE), delete the OIDC_CLIENT_SECRET line, and rotate the secret at the provider' };
}

// The key folder is mounted at /etc/shibboleth/keys: a path there has its copy in spDir.
function hostCopyPath(spDir: string, containerPath: string): string | undefined {
  const prefix = `${spKeysInContainer}/`;
  if (!containerPath.startsWith(prefix)) return undefined;
  const name = containerPath.slice(prefix.length);
  return name && !name.split('/').includes('..') ? path.join(spDir, name) : undefined;
}

function readHostCopy(spDir: string, containerPath: string | undefined): string | undefined {
  const file = containerPath ? hostCopyPath(spDir, containerPath) : undefined;
  try {
    return file ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

const httpTimeoutMs = 10_000;

/** A GET with node's http(s); ca replaces the system CAs (OIDC_TLS_CA). The body is capped at 1 MB. */
export function httpGet(url: string, ca?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const client = url.startsWith('https:') ? https : http;
    const req = client.get(url, { timeout: httpTimeoutMs, ...(ca ? { ca } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > 1_000_000) req.destroy(new Error('answer larger than 1 MB'));
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${httpTimeoutMs / 1000} s`)));
    req.on('error', reject);
  });
}
