// A real sidecar (both listeners, real Config and Policy from loadSettings) on ephemeral
// 127.0.0.1 ports, with its log lines captured so tests can read the audit trail. Shared by the
// http and reliability tiers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../sidecar/src/config/config';
import { startSidecar, type SidecarServer } from '../../sidecar/src/http/sidecar-server';
import { createLogger } from '../../sidecar/src/log';
import { createMetrics } from '../../sidecar/src/metrics';
import type { Policy } from '../../sidecar/src/policy/policy';
import { loadSettings } from '../../sidecar/src/settings';
import { testEnv, TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET } from './config-fixture';
import type { ProsodyOptions } from './prosody-verifier';

export { TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET };

export interface TestSidecar {
  cfg: Config;
  policy: Policy;
  server: SidecarServer;
  front: string;
  backend: string;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** Every log line written so far, raw. */
  rawLogs: string[];
  stop(): Promise<void>;
}

export async function startTestSidecar(
  env: Record<string, string | undefined> = {},
  adjust: (loaded: { cfg: Config; policy: Policy }) => { cfg: Config; policy: Policy } = (loaded) => loaded,
): Promise<TestSidecar> {
  const { cfg, policy } = adjust(loadSettings(testEnv({
    SIDECAR_PORT: '0',
    BACKEND_PORT: '0',
    ENABLE_BACKEND_JWT_REQUEST: 'true',
    BACKEND_API_KEY: TEST_API_KEY,
    ENABLE_VALIDITY_BY_REQUEST: 'true',
    ...env,
  })));
  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('info', {
    write(line: string) {
      rawLogs.push(line);
      logs.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  const server = await startSidecar(cfg, policy, log, { metrics: createMetrics({ defaultMetrics: false }) });
  return {
    cfg,
    policy,
    server,
    front: `http://127.0.0.1:${server.front.port}`,
    backend: `http://127.0.0.1:${server.backend.port}`,
    logs,
    rawLogs,
    stop: () => server.stop(1000),
  };
}

/** Prosody configured as this sidecar's Jitsi (domain verification on), joining `room` in `tenant`. */
export function prosodyFor(t: TestSidecar, room: string, tenant?: string): ProsodyOptions {
  const opts: ProsodyOptions = {
    secret: TEST_APP_SECRET,
    acceptedIssuers: [t.cfg.jwt.appId],
    acceptedAudiences: [t.cfg.jwt.audience],
    room,
    xmppDomain: t.cfg.xmppDomain,
    domainVerification: true,
  };
  if (tenant !== undefined) opts.tenant = tenant;
  return opts;
}

/** Headers our SP would send for a signed-in user. */
export function spHeaders(user: { mail?: string; displayName?: string; eppn?: string; affiliation?: string; idp?: string } = {}, secret = TEST_PROXY_SECRET): Record<string, string> {
  const headers: Record<string, string> = { 'x-saml2jwt-proxy-secret': secret };
  headers.mail = user.mail ?? 'alice@uni.example';
  if (user.displayName !== undefined) headers.displayname = user.displayName;
  if (user.eppn !== undefined) headers.eppn = user.eppn;
  if (user.affiliation !== undefined) headers.affiliation = user.affiliation;
  if (user.idp !== undefined) headers['shib-identity-provider'] = user.idp;
  return headers;
}

export function bearer(key = TEST_API_KEY): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** GET without following redirects. */
export function get(url: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers });
}

/** A policy file in a fresh temporary folder. */
export function writePolicy(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-policy-'));
  const path = join(dir, 'policy.yml');
  writeFileSync(path, yaml);
  return path;
}

/** Jitsi's {state}: encodeURIComponent(JSON.stringify(state)). */
export function jitsiState(state: Record<string, unknown>): string {
  return encodeURIComponent(JSON.stringify(state));
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/;

/** True when anything token-shaped is in the text (header values or body). */
export function containsToken(text: string): boolean {
  return JWT_LIKE.test(text) || text.includes('jwt=');
}

/** All response headers and the body as one text, for "no token anywhere" checks. */
export async function wholeResponse(res: Response): Promise<string> {
  const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  return `${headers}\n\n${await res.text()}`;
}
