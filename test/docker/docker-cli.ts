// The docker CLI as the docker tier uses it: bounded commands, image facts, health waits.
// Everything goes through the `docker` binary (the same one an operator uses), never the API.
import { execFile } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..', '..');

/** Base images made by test/docker/setup-docker.sh (no registry is reachable from here). */
export const localBases = {
  debian: process.env.SAML2JWT_LOCAL_DEBIAN_IMAGE ?? 'saml2jwt-local/debian:bookworm-slim',
  node: process.env.SAML2JWT_LOCAL_NODE_IMAGE ?? 'saml2jwt-local/node:24-bookworm-slim',
};

/**
 * The Docker engine may be shared (several checkouts testing at once): SAML2JWT_DOCKER_TEST_PREFIX
 * (e.g. `wte-`) goes in front of every image tag and compose project name the tier makes, so
 * runs never use or remove each other's images, containers or networks.
 */
export const testPrefix = process.env.SAML2JWT_DOCKER_TEST_PREFIX ?? '';
if (!/^[a-z0-9-]*$/.test(testPrefix)) throw new Error('SAML2JWT_DOCKER_TEST_PREFIX: lower-case letters, digits and "-" only');

/** Tag of every image the tier builds, so the summary can list them and nothing else. */
export const testImageVersion = `${testPrefix}docker-tier`;
export const imageRepo = 'jitsi-saml2jwt';

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (or kills it at timeoutMs); never throws for a non-zero exit. */
export function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: opts.env ?? process.env, cwd: opts.cwd, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (err && typeof err.code !== 'number' ? `\n${err.message}` : '') });
      },
    );
  });
}

/** Like run, but a non-zero exit is an error that carries the command's output. */
export async function mustRun(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${tail(r.stderr || r.stdout, 40)}`);
  }
  return r.stdout;
}

export const docker = (args: string[], opts: Parameters<typeof run>[2] = {}) => mustRun('docker', args, opts);

export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export async function imageExists(image: string): Promise<boolean> {
  return (await run('docker', ['image', 'inspect', image])).code === 0;
}

export async function imageSizeBytes(image: string): Promise<number> {
  return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', image])).trim());
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

export type Health = 'starting' | 'healthy' | 'unhealthy' | 'none' | 'exited';

export async function containerHealth(container: string): Promise<Health> {
  const out = await docker(['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', container]);
  const [state, health] = out.trim().split(' ') as [string, Health];
  return state === 'running' ? health : 'exited';
}

/**
 * Waits until every container is healthy; fails early when one exits. "unhealthy" only means its
 * last few checks failed: on a loaded machine (the tier shares it) a check can time out while the
 * service is fine, and docker keeps checking, so it fails only when still not healthy at the end.
 */
export async function waitHealthy(containers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Record<string, Health> = {};
  while (Date.now() < deadline) {
    last = {};
    for (const c of containers) last[c] = await containerHealth(c);
    const exited = Object.entries(last).filter(([, h]) => h === 'exited');
    if (exited.length > 0) throw new Error(`not running: ${JSON.stringify(last)}\n${await logsOf(exited.map(([c]) => c))}`);
    if (Object.values(last).every((h) => h === 'healthy')) return;
    await sleep(1000);
  }
  throw new Error(`still not healthy after ${timeoutMs} ms: ${JSON.stringify(last)}\n${await logsOf(containers)}`);
}

export async function logsOf(containers: string[], lines = 30): Promise<string> {
  const parts: string[] = [];
  for (const c of containers) {
    const r = await run('docker', ['logs', '--tail', String(lines), c]);
    const health = await run('docker', ['inspect', '--format', '{{if .State.Health}}{{json .State.Health.Log}}{{end}}', c]);
    parts.push(`--- logs of ${c}:\n${r.stdout}${r.stderr}--- its last health checks: ${health.stdout.trim().slice(-1500)}\n`);
  }
  return parts.join('\n');
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The docker bridge's gateway: an address of this host that the host itself, a browser on it and
 * every container (whatever its network: the traffic is routed to the host) reach alike.
 */
export async function bridgeGateway(): Promise<string> {
  const gateway = (await docker(['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'])).trim().split(' ')[0] ?? '';
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new Error(`docker's bridge network has no IPv4 gateway ("${gateway}")`);
  return gateway;
}

/** A TCP port that is free on 127.0.0.1 right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}
