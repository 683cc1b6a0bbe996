import type { Browser } from 'playwright-core';
// A live stack as an operator gets it: the stand-in docker-jitsi-meet checkout, wired by
// `jitsi-saml2jwt setup --test-idp`, started with our overlay and the test IdP, all healthy.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComposeProject } from './compose-project';
import { freePort, mustRun, repoRoot, waitHealthy } from './docker-cli';
import { buildEnv, buildImage, buildStandIn, fullFixtureDir, liveFixtureDir } from './images';

export const jitsiFixture = path.join(repoRoot, 'test', 'fixtures', 'docker-jitsi-meet', 'basic');
export const cliArgs = ['--require', 'tsx/cjs', path.join(repoRoot, 'scripts', 'cli.ts')];
export const stackServices = ['web', 'saml2jwt', 'saml-sp', 'test-idp'];
/** Jitsi's other services, as stand-ins (test/docker/fixture/full). */
export const jitsiCoreServices = ['prosody', 'jicofo', 'jvb'] as const;

export interface WiredStack {
  project: ComposeProject;
  /** .env after setup, as compose reads it. */
  env: Map<string, string>;
  publicUrl: string;
  webPort: number;
  idpPort: number;
  /** What `jitsi-saml2jwt setup` printed. */
  setupOutput: string;
}

export interface StackOptions {
  name: string;
  /** setup's flags besides <dir>, --public-url, --test-idp, --non-interactive and --yes. */
  setupFlags?: string[];
  /** Lines for .env before setup runs (an operator's own additions). */
  env?: Record<string, string>;
  overlays?: string[];
  /** With stand-ins for prosody, jicofo and jvb (the full fixture), not web alone. */
  jitsiCore?: boolean;
  /** What the operator does in the checkout before setup (e.g. their own Prosody plugins). */
  prepare?: (project: ComposeProject) => void;
  /** web's published port, when something must know the public URL before setup (default: a free port). */
  webPort?: number;
}

export async function startWiredStack(opts: StackOptions): Promise<WiredStack> {
  for (const service of ['saml2jwt', 'saml-sp', 'test-idp', 'web'] as const) await buildImage(service);
  if (opts.overlays?.includes('saml2jwt-ha.yml')) await buildImage('memcached');
  if (opts.jitsiCore) for (const service of jitsiCoreServices) await buildStandIn(service);
  const services = [...stackServices, ...(opts.jitsiCore ? jitsiCoreServices : []), ...(opts.overlays?.includes('saml2jwt-ha.yml') ? ['memcached'] : [])];
  const [webPort, idpPort] = [opts.webPort ?? (await freePort()), await freePort()];
  const publicUrl = `https://meet.example.test:${webPort}`;
  const project = new ComposeProject({
    fixtureDir: opts.jitsiCore ? fullFixtureDir : liveFixtureDir,
    name: opts.name,
    baseEnvFile: path.join(jitsiFixture, 'dotenv'),
    env: {
      ...buildEnv,
      HTTPS_PORT: String(webPort),
      RESTART_POLICY: 'no',
      TEST_IDP_PORT: String(idpPort),
      TEST_IDP_BASE_URL: `https://idp.example.test:${idpPort}`,
      ...opts.env,
    },
    overlays: opts.overlays,
    profiles: ['test-idp'],
  });
  let setupOutput: string;
  try {
    fs.copyFileSync(path.join(jitsiFixture, 'env.example'), path.join(project.dir, 'env.example'));
    opts.prepare?.(project);
    setupOutput = await runSetup(project, publicUrl, opts.setupFlags ?? []);
    // setup alone wires the test IdP: its entityID from TEST_IDP_BASE_URL (this run's port), its
    // metadata URL inside the network, and METADATA_TLS_CA = its own CA. Check, do not patch.
    const wired = readDotenv(path.join(project.dir, '.env'));
    const expected = {
      SSO_URL: `https://idp.example.test:${idpPort}/simplesaml/saml2/idp/metadata.php`,
      METADATA_URL: 'https://test-idp.meet.jitsi:8443/simplesaml/saml2/idp/metadata.php',
      METADATA_TLS_CA: '/etc/shibboleth/test-idp-ca/ca-cert.pem',
    };
    for (const [key, value] of Object.entries(expected)) {
      if (wired.get(key) !== value) throw new Error(`setup --test-idp wrote ${key}=${wired.get(key) ?? '(nothing)'}, expected ${value}`);
    }
    expectSecretFilesFromSetup(project, wired);
    await project.compose(['up', '-d', '--no-build'], 5 * 60_000);
    await waitStackHealthy(project, services);
  } catch (err) {
    const logs = (await project.tryCompose(['logs', '--no-color', '--tail', '40'])).stdout;
    await project.destroy();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
  return { project, env: readDotenv(path.join(project.dir, '.env')), publicUrl, webPort, idpPort, setupOutput };
}

/**
 * Every container of the services healthy, each replica included (saml2jwt-ha.yml runs two of
 * some), exited ones too: a container that died at once (e.g. its entrypoint refused the
 * configuration) is a failure with its logs, not a service left out of the wait.
 */
export async function waitStackHealthy(project: ComposeProject, services: readonly string[]): Promise<void> {
  const ids = (await Promise.all(services.map((s) => project.containersOf(s, true)))).flat();
  await waitHealthy(ids, 4 * 60_000);
}

/** `jitsi-saml2jwt setup` on the stack's checkout as startWiredStack runs it, with `flags` added (a re-run, too). */
export function runSetup(project: ComposeProject, publicUrl: string, flags: string[]): Promise<string> {
  const args = [project.dir, '--public-url', publicUrl, '--test-idp', '--non-interactive', '--yes', ...flags];
  return mustRun(process.execPath, [...cliArgs, 'setup', ...args], { cwd: repoRoot });
}

/**
 * The overlay's secret files as `setup` must have written them (it runs as root here): in
 * ${CONFIG}/saml2jwt/secrets/ (0750, uid 1000 / gid 0), one per secret the overlays mount, each
 * the .env's value plus one newline, mode 0440, owner uid 1000 (the sidecar's user), group 0
 * (the SP's entrypoint reads it as root with no capability beyond its group). Checked, not patched.
 */
export function expectSecretFilesFromSetup(project: ComposeProject, env: Map<string, string>): void {
  const dir = path.join(project.configDir, 'saml2jwt', 'secrets');
  const access = (p: string): string => {
    const st = fs.statSync(p);
    return `${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid}:${st.gid}`;
  };
  const problems: string[] = [];
  if (!fs.existsSync(dir)) throw new Error(`setup wrote no ${dir}`);
  if (access(dir) !== '0750 1000:0') problems.push(`${dir} is ${access(dir)}, expected 0750 1000:0`);
  const backend = /^(1|true|yes|on)$/i.test(env.get('ENABLE_BACKEND_JWT_REQUEST') ?? '');
  // RS256 (setup --signing rs256): no shared JWT secret at all.
  const rs256 = env.get('JWT_SIGNING') === 'RS256';
  const wanted: [string, string][] = [
    ...(rs256 ? [] : [['jwt_app_secret', 'JWT_APP_SECRET'] as [string, string]]),
    ['sidecar_proxy_secret', 'SIDECAR_PROXY_SECRET'],
    ...(backend ? [['backend_api_key', 'BACKEND_API_KEY'] as [string, string]] : []),
  ];
  const present = fs.readdirSync(dir).sort();
  if (JSON.stringify(present) !== JSON.stringify(wanted.map(([f]) => f).sort())) problems.push(`${dir} holds ${present.join(', ')}`);
  for (const [file, key] of wanted) {
    const target = path.join(dir, file);
    if (!fs.existsSync(target)) continue;
    if (access(target) !== '0440 1000:0') problems.push(`${file} is ${access(target)}, expected 0440 1000:0`);
    const value = env.get(key);
    if (!value || fs.readFileSync(target, 'utf8') !== `${value}\n`) problems.push(`${file} does not hold the .env's ${key} and one newline`); // never the values
  }
  if (problems.length > 0) throw new Error(`setup's secret files: ${problems.join('; ')}`);
}

/** .env as compose reads it, for the values setup generated (last assignment wins). */
export function readDotenv(file: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) env.set(m[1]!, m[2]!.replace(/^(['"])(.*)\1$/, '$2'));
  }
  return env;
}

/** Prosody's view for tokens of this stack (Jitsi's defaults: issuers = app id, audiences = *). */
export function prosodyFor(env: Map<string, string>) {
  return {
    secret: env.get('JWT_APP_SECRET') ?? '',
    acceptedIssuers: [env.get('JWT_APP_ID') ?? ''],
    acceptedAudiences: ['*'],
    xmppDomain: env.get('XMPP_DOMAIN') ?? 'meet.jitsi',
    domainVerification: env.get('JWT_ENABLE_DOMAIN_VERIFICATION') === 'true',
  };
}

/**
 * Mocha hooks shared by the live-stack suites: the first failure prints the containers' logs
 * while they still exist; at the end the browser closes and the project is destroyed.
 */
export function stackHooks(current: () => { stack?: WiredStack; browser?: Browser }): void {
  let logged = false;
  afterEach(async function () {
    const { stack } = current();
    if (this.currentTest?.state !== 'failed' || logged || !stack) return;
    logged = true;
    console.log((await stack.project.tryCompose(['logs', '--no-color', '--tail', '60'])).stdout);
  });
  after(async () => {
    const { stack, browser } = current();
    await browser?.close();
    if (stack) await stack.project.destroy();
  });
}
