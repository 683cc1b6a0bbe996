// What `doctor` concludes from a running compose project: pure functions over the facts that
// `docker inspect` gives (and the output of a few probes run inside the containers), so they
// can be tested on captured inspect data without a Docker daemon.
import { parseBoolean } from '../sidecar/src/config/boolean';
import { secretProblem } from '../sidecar/src/config/secret-strength';

/** The parts of `docker inspect <container>` that doctor reads. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  State: { Status: string; Running?: boolean; Health?: { Status: string } };
  Config: { Env?: string[] | null; Labels?: Record<string, string> | null };
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
const falsy = (v: string | undefined): boolean => v !== undefined && parseBoolean(v) === false;

function check(ok: boolean, what: string, fix: string): CheckResult {
  return ok ? { ok, what } : { ok, what, fix };
}

/** Everything that can be told from inspect data alone. */
export function configurationChecks(project: ComposeProject): CheckResult[] {
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
    results.push(sharedSecretCheck('JWT_APP_SECRET', prosody, sidecar, 'both must read JWT_APP_SECRET from the same .env: recreate both containers'));
  }
  if (prosody && (prosody.env.get('XMPP_MUC_MODULES') ?? '').split(',').map((m) => m.trim()).includes('token_affiliation')) {
    const autoOwner = s('jicofo')?.env.get('ENABLE_AUTO_OWNER');
    results.push(
      check(
        falsy(autoOwner),
        `jicofo does not make the first participant owner (ENABLE_AUTO_OWNER=${autoOwner ?? 'unset, default on'})`,
        'token_affiliation decides moderators: set ENABLE_AUTO_OWNER=0 in .env and recreate jicofo',
      ),
    );
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
    results.push(
      check(
        c.networks.some((n) => n === 'meet.jitsi' || n.endsWith('_meet.jitsi')),
        `${c.service} is on the meet.jitsi network (${c.networks.join(', ') || 'none'})`,
        `start it with the overlay beside docker-compose.yml: ${startCommand}`,
      ),
    );
  }
  if (sp) results.push(...testIdpChecks(sp, s('test-idp')));
  if (sidecar && sp) {
    results.push(sharedSecretCheck('SIDECAR_PROXY_SECRET', sp, sidecar, 'run jitsi-saml2jwt setup (it generates one into .env), then recreate saml-sp and saml2jwt'));
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

// Both containers hold the same secret, and the sidecar's own strength rule accepts it.
function sharedSecretCheck(name: string, other: ServiceContainer, sidecar: ServiceContainer, fix: string): CheckResult {
  const secret = sidecar.env.get(name);
  const weakness = secret === undefined ? 'is not set' : secretProblem(secret);
  const what = `${other.service} and saml2jwt share ${name}, strong by the sidecar's rule (values not shown)`;
  if (secret === undefined || secret !== other.env.get(name)) return check(false, what, fix);
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
