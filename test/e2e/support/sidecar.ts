// The real sidecar, built from this checkout (npm run build when dist/ is older than the
// sources) and started the way the image starts it: node dist/sidecar/src/main.js.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { httpGet } from './http-request';
import { ProcessGroup, waitFor } from './processes';

export const sidecarCli = join(repoRoot, 'dist/sidecar/src/main.js');

export interface SidecarOptions {
  publicUrl: string;
  proxySecret: string;
  port: number;
  backendPort: number;
  stateDir: string;
  appId: string;
  /** JWT_APP_SECRET (HS256); leave it out for RS256, which refuses to start with one. */
  appSecret?: string;
  xmppDomain: string;
  /** YAML text of POLICY_FILE (written into stateDir; {{IDP_ENTITY_ID}} becomes expectedIdp, {{OIDC_ISSUER}} oidcIssuer), or undefined for none. */
  policy?: string;
  /** The one IdP allowed to log users in (the SP's SSO_URL in direct mode). */
  expectedIdp?: string;
  /** The one OpenID Connect issuer allowed to log users in (OIDC_ISSUER). */
  oidcIssuer?: string;
  /** Further settings (JWT_SIGNING, JWT_KEYS_DIR, FRONT_RATE_LIMIT, ...), over the ones above. */
  env?: Record<string, string>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Builds dist/ when it is missing or older than sidecar/src or scripts/. */
export function ensureSidecarBuilt(): void {
  const sources = Math.max(newestMtime(join(repoRoot, 'sidecar/src')), existsSync(join(repoRoot, 'scripts')) ? newestMtime(join(repoRoot, 'scripts')) : 0);
  if (existsSync(sidecarCli) && statSync(sidecarCli).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startSidecar(group: ProcessGroup, o: SidecarOptions): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    JWT_APP_ID: o.appId,
    PUBLIC_URL: o.publicUrl,
    XMPP_DOMAIN: o.xmppDomain,
    SIDECAR_PROXY_SECRET: o.proxySecret,
    SIDECAR_HOST: '127.0.0.1',
    SIDECAR_PORT: String(o.port),
    BACKEND_HOST: '127.0.0.1',
    BACKEND_PORT: String(o.backendPort),
    LOG_LEVEL: 'info',
  };
  if (o.oidcIssuer !== undefined) env.OIDC_ISSUER = o.oidcIssuer;
  if (o.appSecret !== undefined) env.JWT_APP_SECRET = o.appSecret;
  if (o.expectedIdp !== undefined) {
    env.SHIBBOLETH_TEMPLATE_XML = 'direct';
    env.SSO_URL = o.expectedIdp;
  }
  if (o.policy !== undefined) {
    const policyFile = join(o.stateDir, 'policy.yml');
    writeFileSync(policyFile, o.policy.replaceAll('{{IDP_ENTITY_ID}}', o.expectedIdp ?? '').replaceAll('{{OIDC_ISSUER}}', o.oidcIssuer ?? ''));
    env.POLICY_FILE = policyFile;
  }
  Object.assign(env, o.env);
  // cwd: an empty folder, so no stray .env of the developer's is read.
  group.start('sidecar', process.execPath, [sidecarCli], { env, cwd: o.stateDir });
  await waitFor('sidecar /healthz', async () => {
    group.assertRunning('sidecar');
    return (await httpGet(`http://127.0.0.1:${o.port}/healthz`)).status === 200;
  });
}
