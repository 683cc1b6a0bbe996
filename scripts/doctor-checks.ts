// What `doctor` concludes from a running compose project: pure functions over the facts that
// `docker inspect` gives (and the output of a few probes run inside the containers), so they
// can be tested on captured inspect data without a Docker daemon.
import { isIP } from 'node:net';
import { parseBoolean } from '../sidecar/src/config/boolean';
import { secretProblem } from '../sidecar/src/config/secret-strength';

/** The parts of `docker inspect <container>` that doctor reads. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running?: boolean; Health?: { Status: string } };
  Config: { Env?: string[] | null; Labels?: Record<string, string> | null; Image?: string };
  /** Bind mounts, compose `secrets:` among them (Source on the host, Destination /run/secrets/<name>). */
  Mounts?: Array<{ Type: string; Source: string; Destination: string }> | null;
  NetworkSettings: { Networks?: Record<string, { Aliases?: string[] | null; IPAddress?: string }> | null };
}

export interface ServiceContainer {
  service: string;
  name: string;
  status: string; // running, exited, ...
  health?: string; // healthy, unhealthy, starting (only with a healthcheck)
  env: Map<string, string>;
  networks: string[];
  aliases: string[];
  /** Destination in the container → Source on the host, for bind mounts. */
  mounts: Map<string, string>;
  /** The image's org.opencontainers.image.version label (the release it was built from), when it has one. */
  imageVersion?: string;
  /** The image reference the container was created from (jitsi/prosody:stable-10655). */
  image?: string;
}

export interface ComposeProject {
  name: string;
  workingDir?: string;
  services: Map<string, ServiceContainer>;
}

export interface CheckResult {
  ok: boolean;
  what: string;
  fix?: string; // only when not ok
  warning?: boolean; // not ok, but it does not fail doctor (exit status 0)
}

export const projectLabel = 'com.docker.compose.project';
export const serviceLabel = 'com.docker.compose.service';
export const workingDirLabel = 'com.docker.compose.project.working_dir';
export const imageVersionLabel = 'org.opencontainers.image.version';
export const jitsiServices = ['web', 'prosody', 'jicofo', 'jvb'] as const;
export const ourServices = ['saml2jwt', 'saml-sp'] as const;
const startCommand = 'docker compose -f docker-compose.yml -f saml2jwt.yml up -d';

export function serviceContainer(inspect: ContainerInspect): ServiceContainer {
  const labels = inspect.Config.Labels ?? {};
  const env = new Map<string, string>();
  for (const entry of inspect.Config.Env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  const networks = inspect.NetworkSettings.Networks ?? {};
  return {
    service: labels[serviceLabel] ?? '',
    name: inspect.Name.replace(/^\//, ''),
    status: inspect.State.Status,
    health: inspect.State.Health?.Status,
    env,
    networks: Object.keys(networks),
    aliases: Object.values(networks).flatMap((n) => n.Aliases ?? []),
    mounts: new Map((inspect.Mounts ?? []).filter((m) => m.Type === 'bind').map((m) => [m.Destination, m.Source])),
    // A container's labels include its image's.
    ...(labels[imageVersionLabel] ? { imageVersion: labels[imageVersionLabel] } : {}),
    ...(inspect.Config.Image ? { image: inspect.Config.Image } : {}),
  };
}

/**
 * Groups containers into compose projects and picks the docker-jitsi-meet one: the project whose
 * working dir is jitsiDir when given, else the one running Jitsi's web + prosody (preferring one
 * with our services too). Among several containers of one service, a running one wins.
 */
export function chooseProject(containers: ContainerInspect[], jitsiDir?: string): ComposeProject | undefined {
  const projects = new Map<string, ComposeProject>();
  for (const inspect of containers) {
    const labels = inspect.Config.Labels ?? {};
    const name = labels[projectLabel];
    if (!name || !labels[serviceLabel]) continue;
    const project = projects.get(name) ?? { name, workingDir: labels[workingDirLabel], services: new Map() };
    projects.set(name, project);
    const container = serviceContainer(inspect);
    const existing = project.services.get(container.service);
    if (!existing || (existing.status !== 'running' && container.status === 'running')) project.services.set(container.service, container);
  }
  const all = [...projects.values()];
  if (jitsiDir !== undefined) {
    const wanted = stripSlash(jitsiDir);
    const match = all.find((p) => p.workingDir !== undefined && stripSlash(p.workingDir) === wanted);
    if (match) return match;
  }
  const score = (p: ComposeProject): number =>
    (p.services.has('web') ? 2 : 0) + (p.services.has('prosody') ? 2 : 0) + ourServices.filter((s) => p.services.has(s)).length;
  const candidates = all.filter((p) => score(p) >= 2).sort((a, b) => score(b) - score(a));
  return candidates[0];
}

function stripSlash(dir: string): string {
  return dir.replace(/\/+$/, '');
}

const truthy = (v: string | undefined): boolean => v !== undefined && parseBoolean(v) === true;

/** The sidecar signs RS256 (JWT_SIGNING): Prosody fetches its keys instead of sharing a secret. */
export function rs256Signing(sidecar: ServiceContainer | undefined): boolean {
  return (sidecar?.env.get('JWT_SIGNING') ?? '').trim().toUpperCase() === 'RS256';
}

export function check(ok: boolean, what: string, fix: string): CheckResult {
  return ok ? { ok, what } : { ok, what, fix };
}

/** A secret as a container holds it: its value, or why it could not be read. */
export type SecretReading = { value: string } | { problem: string };
/** Keyed by secretKey(service, NAME). */
export type SecretReadings = Map<string, SecretReading>;
export const secretKey = (service: string, name: string): string => `${service} ${name}`;

/** The secrets doctor compares, per service: Prosody reads the .env, our services files. */
export const comparedSecrets: ReadonlyArray<readonly [service: string, name: string]> = [
  ['prosody', 'JWT_APP_SECRET'],
  ['saml2jwt', 'JWT_APP_SECRET'],
  ['saml-sp', 'SIDECAR_PROXY_SECRET'],
  ['saml2jwt', 'SIDECAR_PROXY_SECRET'],
];

/** Where a container gets NAME: its environment, or the file NAME_FILE names (compose `secrets:`). */
export function secretSource(c: ServiceContainer, name: string): { value: string } | { file: string } | undefined {
  const value = c.env.get(name);
  if (value !== undefined && value !== '') return { value };
  const file = c.env.get(`${name}_FILE`);
  return file ? { file } : undefined;
}

/** Reads a secret file inside its container (the container's own view of the mount). */
export function secretFileProbe(file: string): string[] {
  return ['cat', '--', file];
}

/** The value in a probe's output, by the readers' rule: one final newline dropped. */
export function secretFromProbe(file: string, probe: ProbeResult): SecretReading {
  if (probe.exitCode !== 0) return { problem: `cannot read ${file} in the container (${probe.exitCode === null ? 'timed out' : probe.output.trim().split('\n')[0] || `exit ${probe.exitCode}`})` };
  return { value: probe.output.replace(/\r?\n$/, '') };
}

/**
 * Every secret of comparedSecrets the project's containers hold: from the environment, or read
 * from the file named by NAME_FILE with `readFile` (a probe inside the container).
 */
export async function readSecrets(project: ComposeProject, readFile: (c: ServiceContainer, file: string) => Promise<ProbeResult>): Promise<SecretReadings> {
  const readings: SecretReadings = new Map();
  for (const [service, name] of comparedSecrets) {
    const c = project.services.get(service);
    const source = c && secretSource(c, name);
    if (!c || !source) continue;
    if ('value' in source) readings.set(secretKey(service, name), source);
    else if (c.status !== 'running') readings.set(secretKey(service, name), { problem: `${service} is not running, so ${source.file} cannot be read` });
    else readings.set(secretKey(service, name), secretFromProbe(source.file, await readFile(c, source.file)));
  }
  return readings;
}

/** Host paths of the secret files our services read (the bind mounts their *_FILE variables name). */
export function secretFileSources(project: ComposeProject): string[] {
  const sources = new Set<string>();
  for (const service of ourServices) {
    const c = project.services.get(service);
    if (!c) continue;
    for (const [key, file] of c.env) {
      const source = key.endsWith('_FILE') ? c.mounts.get(file) : undefined;
      if (source) sources.add(source);
    }
  }
  return [...sources].sort();
}

/** The readings that need no probe: secrets given in the environment. */
export function secretsFromEnv(project: ComposeProject): SecretReadings {
  const readings: SecretReadings = new Map();
  for (const [service, name] of comparedSecrets) {
    const c = project.services.get(service);
    const source = c && secretSource(c, name);
    if (source && 'value' in source) readings.set(secretKey(service, name), source);
  }
  return readings;
}

/**
 * Everything that can be told from inspect data, plus the secrets the containers hold
 * (readSecrets; default: only those in their environment).
 */
export function configurationChecks(project: ComposeProject, secrets: SecretReadings = secretsFromEnv(project)): CheckResult[] {
  const results: CheckResult[] = [];
  const s = (name: string): ServiceContainer | undefined => project.services.get(name);

  for (const name of [...jitsiServices, ...ourServices]) {
    const c = s(name);
    results.push(
      check(
        c?.status === 'running',
        c ? `${name} is ${c.status} (${c.name})` : `${name} runs`,
        c ? `see \`docker logs ${c.name}\`, then \`${startCommand}\`` : `start it: ${startCommand}`,
      ),
    );
  }

  const prosody = s('prosody');
  const sidecar = s('saml2jwt');
  const sp = s('saml-sp');
  const web = s('web');
  if (prosody) {
    const authType = prosody.env.get('AUTH_TYPE');
    results.push(
      check(
        truthy(prosody.env.get('ENABLE_AUTH')) && authType === 'jwt',
        `prosody uses JWT auth (ENABLE_AUTH=${prosody.env.get('ENABLE_AUTH') ?? ''}, AUTH_TYPE=${authType ?? ''})`,
        'set ENABLE_AUTH=1 and AUTH_TYPE=jwt in .env (jitsi-saml2jwt setup does), then recreate: ' + startCommand,
      ),
    );
    results.push(
      check(
        truthy(prosody.env.get('JWT_ENABLE_DOMAIN_VERIFICATION')),
        'prosody verifies the token\'s sub against the room\'s domain/tenant (JWT_ENABLE_DOMAIN_VERIFICATION)',
        'set JWT_ENABLE_DOMAIN_VERIFICATION=true in .env: without it a token for one tenant works in every tenant',
      ),
    );
  }
  if (prosody && sidecar) {
    const pid = prosody.env.get('JWT_APP_ID');
    const sid = sidecar.env.get('JWT_APP_ID');
    results.push(
      check(
        !!pid && pid === sid,
        `prosody and saml2jwt share JWT_APP_ID (prosody: ${pid ?? 'unset'}, saml2jwt: ${sid ?? 'unset'})`,
        'both read JWT_APP_ID from the same .env: recreate both containers after changing it',
      ),
    );
    // RS256 has no shared secret at all: doctor-rs256.ts checks prosody's side instead.
    if (!rs256Signing(sidecar)) {
      results.push(
        sharedSecretCheck('JWT_APP_SECRET', prosody, sidecar, secrets, 'prosody reads JWT_APP_SECRET from the .env, saml2jwt from ${CONFIG}/saml2jwt/secrets/jwt_app_secret: run jitsi-saml2jwt setup (it writes both), then recreate both containers'),
      );
    }
  }
  if (web) {
    const url = web.env.get('TOKEN_AUTH_URL') ?? '';
    results.push(
      check(
        url.includes('/redirectWithToken') && url.includes('{room}'),
        `web sends logins to our SP (TOKEN_AUTH_URL=${url || 'unset'})`,
        'set TOKEN_AUTH_URL=<public url>/saml2jwt/redirectWithToken?room={room}&state={state} (jitsi-saml2jwt setup does) and recreate web',
      ),
    );
  }
  for (const c of [sidecar, sp]) {
    if (!c) continue;
    results.push(
      check(
        c.health === 'healthy',
        `${c.service} is healthy (${c.health ?? 'no healthcheck'})`,
        `see \`docker logs ${c.name}\``,
      ),
    );
  }
  if (sp) results.push(...spNetworkChecks(sp));
  if (sidecar) results.push(...sidecarNetworkChecks(sidecar));
  if (sp && sidecar) results.push(...spToFrontChecks(sp, sidecar));
  if (sp) results.push(...testIdpChecks(sp, s('test-idp')));
  if (sidecar && sp) {
    results.push(
      sharedSecretCheck(
        'SIDECAR_PROXY_SECRET',
        sp,
        sidecar,
        secrets,
        'both read ${CONFIG}/saml2jwt/secrets/sidecar_proxy_secret: run jitsi-saml2jwt setup (it generates the secret into .env and writes that file), then recreate saml-sp and saml2jwt',
      ),
    );
  }
  return results;
}

const meetNetwork = 'meet.jitsi';
const internalNetwork = 'saml2jwt-internal';
const meetNetworkOverlay = 'saml2jwt-meet-network.yml';
const rs256Overlay = 'saml2jwt-rs256.yml';
/** compose names a project's network <project>_<name>. */
const onNetwork = (c: ServiceContainer, name: string): boolean => c.networks.some((n) => n === name || n.endsWith(`_${name}`));
const networkList = (c: ServiceContainer): string => c.networks.join(', ') || 'none';

// The SP is the only one of ours on Jitsi's network (nginx reaches it there) and on the internal
// one with the sidecar.
function spNetworkChecks(sp: ServiceContainer): CheckResult[] {
  return [
    check(
      onNetwork(sp, meetNetwork) && onNetwork(sp, internalNetwork),
      `saml-sp is on the ${meetNetwork} and ${internalNetwork} networks (${networkList(sp)})`,
      `start it with the overlay beside docker-compose.yml: ${startCommand}`,
    ),
  ];
}

// On meet.jitsi too, the sidecar binds its front port only to its address under SIDECAR_HOST's
// name, an alias of saml2jwt-internal (sidecar/src/http/front-addresses.ts). The SP must ask by
// that name: saml2jwt.meet.jitsi or saml2jwt may give it the sidecar's address on meet.jitsi,
// where nothing listens on that port, and every login would fail.
function spToFrontChecks(sp: ServiceContainer, sidecar: ServiceContainer): CheckResult[] {
  const frontName = sidecar.env.get('SIDECAR_HOST') ?? '';
  if (!onNetwork(sidecar, meetNetwork) || frontName === '' || isIP(frontName) !== 0) return [];
  const sidecarUrl = sp.env.get('SIDECAR_URL') ?? '';
  let host = '';
  try {
    host = new URL(sidecarUrl).hostname;
  } catch {
    // not a URL: the check below fails and names it
  }
  return [
    check(
      host === frontName,
      `saml-sp reaches the sidecar's front port by ${frontName}, on ${internalNetwork} (SIDECAR_URL=${sidecarUrl || 'unset'})`,
      `remove SIDECAR_URL from .env (the overlay then sets http://${frontName}:8080), then docker compose up -d`,
    ),
  ];
}

// The sidecar is reached only by the SP, on the internal network; it joins meet.jitsi only when
// it must talk to Jitsi's services itself (advanced mode asks Jicofo).
function sidecarNetworkChecks(sidecar: ServiceContainer): CheckResult[] {
  const results = [
    check(
      onNetwork(sidecar, internalNetwork),
      `saml2jwt is on the ${internalNetwork} network, where saml-sp reaches it (${networkList(sidecar)})`,
      `start it with the overlay beside docker-compose.yml: ${startCommand}`,
    ),
  ];
  const advanced = (sidecar.env.get('JWT_TOKEN_MODE') ?? '').trim() === 'advanced';
  const onMeet = onNetwork(sidecar, meetNetwork);
  if (rs256Signing(sidecar)) {
    results.push(
      check(
        onMeet,
        `saml2jwt is on the ${meetNetwork} network too, where Prosody fetches the RS256 public keys (JWT_SIGNING=RS256)`,
        `add ${rs256Overlay}: docker compose -f docker-compose.yml -f saml2jwt.yml -f ${rs256Overlay} up -d`,
      ),
    );
  } else if (advanced) {
    results.push(
      check(
        onMeet,
        `saml2jwt is on the ${meetNetwork} network too, to ask Jicofo about private rooms (JWT_TOKEN_MODE=advanced)`,
        `add ${meetNetworkOverlay}: docker compose -f docker-compose.yml -f saml2jwt.yml -f ${meetNetworkOverlay} up -d`,
      ),
    );
  } else if (onMeet) {
    results.push({
      ok: false,
      warning: true,
      what: `saml2jwt is on the ${meetNetwork} network though JWT_TOKEN_MODE is not advanced and JWT_SIGNING is not RS256: every Jitsi container reaches its ports`,
      fix: `start it without -f ${meetNetworkOverlay}: ${startCommand}`,
    });
  }
  return results;
}

/** Names under which the test IdP is reached on the compose network (its service and alias). */
const testIdpHostNames = ['test-idp', 'test-idp.meet.jitsi'];
const testIdpCaFolder = '/etc/shibboleth/test-idp-ca/';

// The test IdP has public users and passwords, and its CA is made by it: neither may sit next to
// a real IdP. A test-idp container that runs while the SP reads other metadata is a test setup
// left behind in production (or a way around the real IdP): that fails loudly.
function testIdpChecks(sp: ServiceContainer, testIdp: ServiceContainer | undefined): CheckResult[] {
  const results: CheckResult[] = [];
  const metadataUrl = sp.env.get('METADATA_URL') ?? '';
  const metadataFile = sp.env.get('METADATA_FILE') ?? '';
  const names = new Set([...testIdpHostNames, ...(testIdp?.aliases ?? [])]);
  const host = hostOf(metadataUrl);
  const readsTestIdp = metadataFile === '' && host !== undefined && names.has(host);
  const source = metadataFile ? `METADATA_FILE=${metadataFile}` : `METADATA_URL=${metadataUrl || 'unset'}`;
  if (testIdp?.status === 'running') {
    results.push(
      check(
        readsTestIdp,
        readsTestIdp
          ? `the test IdP (${testIdp.name}) runs as the SP's only IdP (${source}); never use it in production`
          : `the test IdP (${testIdp.name}) runs next to a real IdP (saml-sp: ${source}); its users and passwords are public`,
        `remove it: docker compose rm -sf test-idp, and start Jitsi without --profile test-idp (\`${startCommand}\`)`,
      ),
    );
  }
  const tlsCa = sp.env.get('METADATA_TLS_CA') ?? '';
  if (tlsCa.startsWith(testIdpCaFolder) && !readsTestIdp) {
    results.push(
      check(
        false,
        `saml-sp checks the TLS certificate of ${source} against the test IdP's CA (METADATA_TLS_CA=${tlsCa})`,
        'run jitsi-saml2jwt setup for your IdP (it empties METADATA_TLS_CA, i.e. the system CAs), then recreate saml-sp',
      ),
    );
  }
  return results;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

// Both containers hold the same secret (from their environment or their secret file), and the
// sidecar's own strength rule accepts it. The values never appear in the result.
function sharedSecretCheck(name: string, other: ServiceContainer, sidecar: ServiceContainer, secrets: SecretReadings, fix: string): CheckResult {
  const what = `${other.service} and saml2jwt share ${name}, strong by the sidecar's rule (values not shown)`;
  const mine = secrets.get(secretKey(sidecar.service, name));
  const theirs = secrets.get(secretKey(other.service, name));
  if (!mine || !theirs || 'problem' in mine || 'problem' in theirs) {
    const problem = (service: string, r: SecretReading | undefined): string[] =>
      r === undefined ? [`${service}: ${name} is not set`] : 'problem' in r ? [`${service}: ${r.problem}`] : [];
    return check(false, what, `${[...problem(sidecar.service, mine), ...problem(other.service, theirs)].join('; ')}. ${fix}`);
  }
  if (mine.value !== theirs.value) return check(false, what, `they differ. ${fix}`);
  const weakness = secretProblem(mine.value);
  return check(weakness === undefined, what, `${name} ${weakness ?? ''}; then recreate ${other.service} and saml2jwt`);
}

/** The result of running a command inside a container. */
export interface ProbeResult {
  exitCode: number | null; // null: it did not finish in time
  output: string;
}

export const readyzProbe = [
  'node',
  '-e',
  "fetch('http://127.0.0.1:8080/readyz').then(async r=>{console.log(r.status+' '+(await r.text()).slice(0,200));process.exit(r.ok?0:1)},e=>{console.log(String(e));process.exit(1)})",
];

export function readyzCheck(probe: ProbeResult | undefined): CheckResult {
  const what = 'saml2jwt answers /readyz';
  if (!probe) return check(false, what, 'saml2jwt is not running');
  const detail = probe.output.trim().split('\n')[0] ?? '';
  return check(probe.exitCode === 0, `${what} (${probe.exitCode === null ? 'timed out' : detail})`, 'see `docker logs` of the saml2jwt container');
}

export function metadataProbe(mode: string | undefined): string[] {
  const url = mode === 'host' ? 'https://127.0.0.1:8443' : 'http://127.0.0.1:8080';
  return ['curl', '-fsSk', '--max-time', '5', `${url}/saml2jwt/Shibboleth.sso/Metadata`];
}

export function metadataCheck(probe: ProbeResult | undefined, expectedEntityId: string | undefined): CheckResult {
  const what = 'saml-sp serves its SAML metadata (/saml2jwt/Shibboleth.sso/Metadata)';
  if (!probe) return check(false, what, 'saml-sp is not running');
  if (probe.exitCode !== 0 || !/<(\w+:)?EntityDescriptor\b/.test(probe.output)) {
    return check(false, `${what}: ${probe.exitCode === null ? 'timed out' : probe.output.trim().split('\n')[0] || 'no metadata'}`, 'see `docker logs` of the saml-sp container');
  }
  const entityId = /entityID="([^"]*)"/.exec(probe.output)?.[1];
  if (expectedEntityId && entityId !== expectedEntityId) {
    return check(false, `${what}, but its entityID is ${entityId} instead of SP_ENTITY_ID ${expectedEntityId}`, 'recreate saml-sp so it renders its configuration from the current .env');
  }
  return check(true, `${what}, entityID ${entityId}`, '');
}

export function formatResult(r: CheckResult): string {
  if (r.ok) return `ok    ${r.what}`;
  return `${r.warning ? 'WARN' : 'FAIL'}  ${r.what}\n      fix: ${r.fix}`;
}

/** The last line of doctor's report; only failures (not warnings) make it exit non-zero. */
export function summarize(results: CheckResult[]): { line: string; failed: number } {
  const failed = results.filter((r) => !r.ok && !r.warning).length;
  const warnings = results.filter((r) => !r.ok && r.warning).length;
  const warned = warnings === 0 ? '' : `, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  const line = failed === 0 ? `all ${results.length - warnings} checks passed${warned}` : `${failed} of ${results.length} checks failed${warned}`;
  return { line, failed };
}
