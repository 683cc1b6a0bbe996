// The built sidecar (`node dist/sidecar/src/main.js --env-file ...` under the image's NODE_OPTIONS,
// as the image runs it) as a child process on ephemeral 127.0.0.1 ports. Its stdout audit lines
// are counted as they stream (not kept), so a long soak does not fill our memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_APP_SECRET, TEST_PROXY_SECRET } from '../support/config-fixture';
import { imageNodeOptions } from '../support/image-node-options';

export const ROOT = resolve(__dirname, '../..');
export const BUILT_CLI = join(ROOT, 'dist/sidecar/src/main.js');

export interface ChildSidecar {
  proc: ChildProcess;
  pid: number;
  front: number;
  backend: number;
  /** Audit lines seen so far, by event (token_issued, token_refused, token_refused_summarised: the refusals summaries stand for) and a few log messages. */
  counts: Record<string, number>;
  /** Log lines at level warn or above (kept: they are rare and must be looked at). */
  problems: string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Resident set size in kB, from /proc/<pid>/status. */
  rssKb(): number;
  kill(): void;
}

export function requireBuild(): void {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (npm run test:reliability does)`);
}

export async function spawnBuiltSidecar(env: Record<string, string> = {}): Promise<ChildSidecar> {
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-reliability-'));
  const envFile = join(dir, 'sidecar.env');
  const values = { JWT_APP_ID: 'saml2jwt-test', JWT_APP_SECRET: TEST_APP_SECRET, PUBLIC_URL: 'https://meet.example.org', SIDECAR_PROXY_SECRET: TEST_PROXY_SECRET, SIDECAR_PORT: '0', BACKEND_PORT: '0', ...env };
  writeFileSync(envFile, Object.entries(values).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const proc = spawn(process.execPath, [BUILT_CLI, '--env-file', envFile], { cwd: dir, env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: imageNodeOptions() }, stdio: ['ignore', 'pipe', 'pipe'] });
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  let ports: { front: number; backend: number } | undefined;
  let partial = '';
  let stderr = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('"token_issued"')) counts.token_issued = (counts.token_issued ?? 0) + 1;
      else if (line.includes('"token_refused"')) counts.token_refused = (counts.token_refused ?? 0) + 1;
      // A flood's summary (refusal-audit.ts) stands for `count` refusals; expected, not a problem.
      else if (line.includes('"token_refused_summary"')) {
        counts.token_refused_summarised = (counts.token_refused_summarised ?? 0) + ((JSON.parse(line) as { count?: number }).count ?? 0);
      }
      else if (line.startsWith('{')) {
        const entry = JSON.parse(line) as { level?: number; msg?: string; front?: { port: number }; backend?: { port: number } };
        if (entry.msg) counts[entry.msg] = (counts[entry.msg] ?? 0) + 1;
        if (entry.msg === 'listening' && entry.front && entry.backend) ports = { front: entry.front.port, backend: entry.backend.port };
        if ((entry.level ?? 0) >= 40) problems.push(line.slice(0, 500));
      }
    }
  });
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((done) => proc.on('exit', (code, signal) => done({ code, signal, at: Date.now() })));
  for (let i = 0; i < 200 && !ports; i++) {
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!ports) {
    proc.kill('SIGKILL');
    throw new Error(`the built sidecar did not start: ${stderr}`);
  }
  const pid = proc.pid as number;
  return {
    proc,
    pid,
    ...ports,
    counts,
    problems,
    stderr: () => stderr,
    exited,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN),
    kill: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    },
  };
}
