// The Shibboleth SP on the host: configuration rendered by the image's own saml2jwt-render
// from the image's templates, keys made by saml2jwt-keys, then shibd and Apache started with
// folders, socket, pid files and a port of their own.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { spRootfs } from './paths';
import { handToServiceUser } from './service-user';
import { httpGet } from './http-request';
import { ProcessGroup, waitFor } from './processes';

const run = promisify(execFile);

/** Where one rendered SP lives (all under `root`). */
export interface SpLayout {
  root: string;
  shibConfigDir: string;
  apacheConfigDir: string;
  apacheRunDir: string;
  shibRunDir: string;
  shibCacheDir: string;
  keyDir: string;
}

export function spLayout(root: string): SpLayout {
  return {
    root,
    shibConfigDir: join(root, 'shibboleth'),
    apacheConfigDir: join(root, 'apache2'),
    apacheRunDir: join(root, 'apache2-run'),
    shibRunDir: join(root, 'shibd-run'),
    shibCacheDir: join(root, 'metadata-cache'),
    keyDir: join(root, 'keys'),
  };
}

export function layoutEnv(layout: SpLayout): Record<string, string> {
  return {
    SAML2JWT_TEMPLATES: join(spRootfs, 'defaults'),
    SHIB_CONFIG_DIR: layout.shibConfigDir,
    APACHE_CONFIG_DIR: layout.apacheConfigDir,
    APACHE_RUN_DIR: layout.apacheRunDir,
    SHIB_RUN_DIR: layout.shibRunDir,
    SHIB_CACHE_DIR: layout.shibCacheDir,
    SP_KEY_DIR: layout.keyDir,
  };
}

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one of the image's scripts (saml2jwt-render, saml2jwt-keys) with exactly `env`. */
export async function runSpScript(script: string, env: Record<string, string>): Promise<ScriptResult> {
  try {
    const { stdout, stderr } = await run(join(spRootfs, 'usr/local/bin', script), [], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** An SP folder at `root` with its keys made (by saml2jwt-keys), ready to render into. */
export async function keyedLayout(root: string, mode = 'path'): Promise<SpLayout> {
  const layout = spLayout(root);
  const keys = await runSpScript('saml2jwt-keys', { ...layoutEnv(layout), SAML2JWT_MODE: mode, PUBLIC_URL: 'https://meet.example.test', SERVER_NAME: 'auth.example.test:8443' });
  if (keys.code !== 0) throw new Error(`saml2jwt-keys failed (${keys.code}): ${keys.stderr}`);
  return layout;
}

export interface SpOptions {
  layout: SpLayout;
  /** PUBLIC_URL, METADATA_URL, SSO_URL, SIDECAR_URL, SIDECAR_PROXY_SECRET, SP_LISTEN, ... */
  env: Record<string, string>;
  /** How long shibd may take to load its metadata and open its socket (default 20 s). */
  startTimeoutMs?: number;
}

export interface RunningSp {
  port: number;
  entityId: string;
  /** From starting shibd to its socket (what the image's entrypoint waits for), in ms; 0 without shibd. */
  shibdReadyMs: number;
  /** From starting shibd to the Status handler's <OK/> through Apache (without shibd: Apache's first answer), in ms. */
  readyMs: number;
}

export async function startSp(group: ProcessGroup, options: SpOptions, port: number): Promise<RunningSp> {
  const { layout } = options;
  const env: Record<string, string> = { ...layoutEnv(layout), SP_PORT: String(port), SP_LISTEN: `127.0.0.1:${port}`, ...options.env };
  for (const script of ['saml2jwt-keys', 'saml2jwt-render']) {
    const result = await runSpScript(script, env);
    if (result.code !== 0) throw new Error(`${script} failed (${result.code}): ${result.stderr}`);
  }
  handToServiceUser(layout.root);

  const scheme = env.SAML2JWT_MODE === 'host' ? 'https' : 'http';
  const started = performance.now();
  let shibdReadyMs = 0;
  // With OpenID Connect alone (SP_LOGIN=oidc) there is no shibd, as in the image's entrypoint.
  const samlOn = env.SP_LOGIN !== 'oidc';
  if (samlOn) {
    const shibConfig = join(layout.shibConfigDir, 'shibboleth2.xml');
    // As the entrypoint does: stdout line-buffered, so each log line is in the log when it happens.
    group.start('shibd', '/usr/bin/stdbuf', ['-oL', '/usr/sbin/shibd', '-F', '-f', '-c', shibConfig, '-p', join(layout.shibRunDir, 'shibd.pid'), '-w', '30'], {
      asServiceUser: true,
    });
    await waitFor('shibd socket', () => {
      group.assertRunning('shibd');
      return existsSync(join(layout.shibRunDir, 'shibd.sock'));
    }, options.startTimeoutMs ?? 20000, 25);
    shibdReadyMs = performance.now() - started;
  }

  group.start('sp-apache', '/usr/sbin/apache2', ['-DFOREGROUND', '-f', join(layout.apacheConfigDir, 'httpd.conf')], {
    asServiceUser: true,
  });
  // The Status handler answers <OK/> once Apache, mod_shib and shibd all work (the image's health
  // check); without shibd, Apache answering at all is what the health check asks.
  await waitFor(samlOn ? 'SP status handler' : 'SP Apache', async () => {
    group.assertRunning('sp-apache');
    if (!samlOn) return (await httpGet(`${scheme}://127.0.0.1:${port}/`)).status > 0;
    const res = await httpGet(`${scheme}://127.0.0.1:${port}/saml2jwt/Shibboleth.sso/Status`);
    return res.status === 200 && res.body.includes('<OK/>');
  }, 20000, 25);
  const readyMs = performance.now() - started;
  const publicUrl = options.env.PUBLIC_URL ?? '';
  return { port, entityId: options.env.SP_ENTITY_ID ?? `${publicUrl}/saml2jwt/shibboleth`, shibdReadyMs, readyMs };
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

/**
 * The image's health check against a host SP: run as the SP's service user (as docker runs it as
 * root and it drops), its container log written to health.log in the SP's run folder.
 */
export function runHealthcheck(layout: SpLayout, port: number, env: Record<string, string> = {}): Promise<ScriptResult> {
  return runSpScript('saml2jwt-healthcheck', {
    SP_PORT: String(port),
    SHIB_RUN_DIR: layout.shibRunDir,
    SAML2JWT_HEALTH_LOG: healthLogFile(layout),
    SAML2JWT_SERVICE_USER: 'www-data', // service-user.ts (used only when the test runs as root)
    ...env,
  });
}

export function healthLogFile(layout: SpLayout): string {
  return join(layout.shibRunDir, 'health.log');
}
