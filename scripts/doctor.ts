// `jitsi-saml2jwt doctor [<jitsi-dir>]`: checks a running docker-jitsi-meet + saml2jwt
// deployment through the Docker API, one line per check, and says how to fix what fails.
// The conclusions live in doctor-checks.ts; this file only talks to Docker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { parseCommandLine, reportUsageError, UsageError } from '../sidecar/src/command-line';
import {
  chooseProject,
  configurationChecks,
  rs256Signing,
  formatResult,
  metadataCheck,
  metadataProbe,
  projectLabel,
  readyzCheck,
  readSecrets,
  readyzProbe,
  secretFileProbe,
  secretFileSources,
  summarize,
  type CheckResult,
  type ContainerInspect,
  type ProbeResult,
} from './doctor-checks';
import { secretFilesCheck, secretMountsCheck } from './doctor-files';
import { runningReplicas, spReplicaChecks } from './doctor-replicas';
import { namedModules, pluginProbe, policyFromProbe, policyProbe, policyRoleChecks, prosodyModuleChecks, waitForHostChecks } from './doctor-roles';
import { jwksProbe, keyServerChecks, prosodyJwksChecks, publishedKids, revokedKidsCheck, rs256ProsodyChecks } from './doctor-rs256';
import { jwtKeysDir, revokedKidsOnDisk, signingKidOnDisk } from './jwt-keys';
import { readJitsiCheckout, type JitsiCheckout } from './jitsi-checkout';
import { parsePolicy } from '../sidecar/src/policy/load';
import type { Policy } from '../sidecar/src/policy/policy';
import { allownerChecks, lobbyChecks, readonlyNameChecks, visitorChecks } from './doctor-jitsi-features';
import { jitsiRelease, jitsiReleaseChecks } from './doctor-jitsi-release';
import { versionCheck } from './doctor-versions';
import { oidcChecks, oidcDoctorInput } from './doctor-oidc';
import { spCertProbe, spMetadataChecks } from './doctor-sp-metadata';
import { spMetadataFile } from './setup/sp-metadata';

export const doctorUsage = `usage: jitsi-saml2jwt doctor [<docker-jitsi-meet dir>] [--socket PATH]

Finds the running docker-jitsi-meet compose project (the one started from <dir> when given) and
checks prosody, web, saml2jwt and saml-sp (the secrets they share are read from their secret
files inside the containers, never shown), that several SP replicas (saml2jwt-ha.yml) share one
session store, entityID and SP certificate, and, when the files are on this machine, that the
.env and the backups setup made are readable by their owner only and that the secret files the
containers mount are not readable by every user. With JWT_SIGNING=RS256 it also checks that
prosody holds no JWT_APP_SECRET, expects RS256, gets every published key from the key server
and reads a JWK set (cache_keys_url) listing exactly the published kids (curl inside the prosody
container), and that no revoked kid is published. Exit status 0 only when every
check passes; a WARN line does not change it.

  --socket PATH   the Docker daemon's socket (default /var/run/docker.sock)
  -h, --help      show this help
`;

const doctorOptions = {
  socket: { type: 'string', default: '/var/run/docker.sock' },
  help: { type: 'boolean', short: 'h' },
} as const;

const probeTimeoutMs = 15_000;

export interface DoctorEnvironment {
  out?: (text: string) => void;
  err?: (text: string) => void;
}

export async function run(argv: string[], environment: DoctorEnvironment = {}): Promise<number> {
  const out = environment.out ?? ((t: string) => void process.stdout.write(t));
  const err = environment.err ?? ((t: string) => void process.stderr.write(t));
  let args;
  try {
    args = parseCommandLine(argv, { options: doctorOptions, maxPositionals: 1 });
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError('doctor', e, doctorUsage, err);
    throw e;
  }
  if (args.values.help) {
    out(doctorUsage);
    return 0;
  }
  const socketPath = args.values.socket;
  const jitsiDir = args.positionals[0] === undefined ? undefined : path.resolve(args.positionals[0]);

  const docker = new Docker({ socketPath });
  try {
    await docker.ping();
  } catch (e) {
    err(`doctor: cannot reach the Docker daemon at ${socketPath} (${(e as Error).message}). Is Docker running, and may this user use it (root or the docker group)?\n`);
    return 1;
  }

  const listed = await docker.listContainers({ all: true, filters: { label: [projectLabel] } });
  const inspects = (await Promise.all(listed.map((c) => docker.getContainer(c.Id).inspect()))) as unknown as ContainerInspect[];
  const project = chooseProject(inspects, jitsiDir);
  if (!project) {
    out(formatResult({ ok: false, what: `a docker-jitsi-meet compose project${jitsiDir ? ` started from ${jitsiDir}` : ''}`, fix: `cd <docker-jitsi-meet dir> && docker compose -f docker-compose.yml -f saml2jwt.yml up -d` }) + '\n');
    return 1;
  }
  if (jitsiDir && project.workingDir !== jitsiDir) {
    err(`doctor: no project was started from ${jitsiDir}; checking "${project.name}" (${project.workingDir ?? 'unknown folder'}) instead\n`);
  }
  out(`compose project "${project.name}"${project.workingDir ? ` in ${project.workingDir}` : ''}\n`);

  // The secrets as the containers hold them: a file (compose `secrets:`) is read inside its container.
  const secrets = await readSecrets(project, (c, file) => probe(docker, c.name, secretFileProbe(file)));
  const results: CheckResult[] = configurationChecks(project, secrets);
  const sidecar = project.services.get('saml2jwt');
  const sp = project.services.get('saml-sp');
  const running = (c: typeof sidecar): c is NonNullable<typeof sidecar> => c?.status === 'running';
  results.push(readyzCheck(running(sidecar) ? await probe(docker, sidecar.name, readyzProbe) : undefined));
  // OpenID Connect alone (SP_LOGIN=oidc): no shibd, so no SAML metadata, entityID or SP certificate.
  const samlOn = sp?.env.get('SP_LOGIN') !== 'oidc';
  const servedMetadata = samlOn && running(sp) ? await probe(docker, sp.name, metadataProbe(sp.env.get('SAML2JWT_MODE'))) : undefined;
  results.push(samlOn ? metadataCheck(servedMetadata, sp?.env.get('SP_ENTITY_ID') || undefined) : oidcAloneNote);

  // SP replicas (saml2jwt-ha.yml): one store, one entityID, one certificate.
  const spReplicas = runningReplicas(inspects, project.name, 'saml-sp');
  const replicaMetadata = new Map<string, ProbeResult>();
  if (samlOn && spReplicas.length > 1) for (const c of spReplicas) replicaMetadata.set(c.name, await probe(docker, c.name, metadataProbe(c.env.get('SAML2JWT_MODE'))));
  results.push(...spReplicaChecks(spReplicas, replicaMetadata, { saml: samlOn }));

  // Moderators and the lobby: the modules prosody is told to load, and the policy against auto-owner.
  const prosody = project.services.get('prosody');
  const needsPlugins = running(prosody) && namedModules(prosody).length > 0;
  results.push(...prosodyModuleChecks(prosody, needsPlugins ? await probe(docker, prosody.name, [...pluginProbe]) : undefined));
  results.push(...waitForHostChecks(prosody));
  const readPolicy = policyProbe(sidecar);
  const policy = readPolicy && running(sidecar) ? policyFromProbe(await probe(docker, sidecar.name, readPolicy)) : undefined;
  results.push(...policyRoleChecks(project, policy));
  // Issue 21's features: a lobby for every meeting, names from the IdP, visitors, no all-owner issuer.
  const parsedPolicy = policy && 'text' in policy ? parsedOrUndefined(policy.text) : undefined;
  results.push(...lobbyChecks(project), ...readonlyNameChecks(project, parsedPolicy), ...visitorChecks(project, parsedPolicy), ...allownerChecks(project));

  // The checkout's folder: where the RS256 keys and the files checked below are, when on this machine.
  const checkoutDir = jitsiDir ?? project.workingDir;

  // RS256: no secret in prosody, and prosody fetches every published key from the key server.
  if (rs256Signing(sidecar)) {
    if (prosody) results.push(...rs256ProsodyChecks(prosody));
    const kids = publishedKids(running(sidecar) ? await probe(docker, sidecar.name, jwksProbe) : undefined);
    const folder = keyFolderOf(checkoutDir);
    const inProsody = (c: NonNullable<typeof prosody>, cmd: string[]): Promise<ProbeResult> => probe(docker, c.name, cmd);
    results.push(...(await keyServerChecks(prosody, kids, inProsody, folder?.signingKid)));
    results.push(...revokedKidsCheck(kids, folder?.revokedKids ?? []));
    results.push(...(await prosodyJwksChecks(prosody, kids, inProsody)));
  }

  // The checkout's own files, when it is on this machine.
  if (checkoutDir) results.push(...secretFilesCheck(checkoutDir));
  // OpenID Connect (when the .env sets OIDC_ISSUER): the provider, the redirect URI, the secret file.
  const oidcCheckout = checkoutDir ? checkoutOrUndefined(checkoutDir) : undefined;
  if (oidcCheckout) results.push(...(await oidcChecks(oidcDoctorInput(oidcCheckout))));
  results.push(versionCheck(project, checkoutDir ? readOrUndefined(path.join(checkoutDir, 'saml2jwt.yml')) : undefined));
  // The SP metadata for the federation (setup --sp-info): served as written, with shibd's certificate.
  const metadataFile = registrarMetadata(checkoutDir);
  if (metadataFile && samlOn) results.push(...spMetadataChecks(metadataFile, servedMetadata, running(sp) ? await probe(docker, sp.name, [...spCertProbe]) : undefined));
  // Which docker-jitsi-meet release, and whether it has what the features in use need.
  const imageVersion = checkoutDir ? checkoutOrUndefined(checkoutDir)?.env.expanded('JITSI_IMAGE_VERSION') : undefined;
  const composeText = checkoutDir ? readOrUndefined(path.join(checkoutDir, 'docker-compose.yml')) : undefined;
  results.push(...jitsiReleaseChecks(project, jitsiRelease(imageVersion, project, composeText)));
  results.push(...secretMountsCheck(secretFileSources(project)));

  for (const r of results) out(formatResult(r) + '\n');
  const { line, failed } = summarize(results);
  out(`${line}\n`);
  return failed === 0 ? 0 : 1;
}

const oidcAloneNote: CheckResult = { ok: true, what: 'saml-sp signs users in with OpenID Connect alone (SP_LOGIN=oidc): no SAML metadata to serve' };

function parsedOrUndefined(text: string): Policy | undefined {
  try {
    return parsePolicy(text, 'POLICY_FILE');
  } catch {
    return undefined; // policyRoleChecks reports it
  }
}

function checkoutOrUndefined(dir: string): JitsiCheckout | undefined {
  try {
    return readJitsiCheckout(dir);
  } catch {
    return undefined;
  }
}

function registrarMetadata(checkoutDir: string | undefined): { path: string; text: string } | undefined {
  const checkout = checkoutDir ? checkoutOrUndefined(checkoutDir) : undefined;
  if (!checkout) return undefined;
  const file = path.join(checkout.configDir, 'saml2jwt', spMetadataFile);
  const text = readOrUndefined(file);
  return text === undefined ? undefined : { path: file, text };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

// The signing kid and the revoked kids by the checkout's key folder, when the checkout is on this machine.
function keyFolderOf(checkoutDir: string | undefined): { signingKid?: string; revokedKids: string[] } | undefined {
  if (!checkoutDir) return undefined;
  try {
    const checkout = readJitsiCheckout(checkoutDir);
    const dir = jwtKeysDir(checkout.configDir);
    const signingKid = signingKidOnDisk(dir, checkout.env);
    return { ...(signingKid !== undefined ? { signingKid } : {}), revokedKids: revokedKidsOnDisk(dir) };
  } catch {
    return undefined;
  }
}

// Runs a command inside a container (docker exec), bounded in time; output is stdout + stderr.
async function probe(docker: Docker, container: string, cmd: string[]): Promise<ProbeResult> {
  try {
    const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    let output = '';
    sink.on('data', (chunk: Buffer) => {
      if (output.length < 64_000) output += chunk.toString('utf8');
    });
    docker.modem.demuxStream(stream, sink, sink);
    const finished = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), probeTimeoutMs);
      stream.on('end', () => {
        clearTimeout(timer);
        resolve(true);
      });
      stream.on('error', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!finished) {
      stream.destroy();
      return { exitCode: null, output };
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? null, output };
  } catch (e) {
    return { exitCode: 127, output: (e as Error).message };
  }
}
