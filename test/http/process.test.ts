// The real process: `jitsi-saml2jwt serve` as a child, its exit codes, its configuration errors,
// --env-file, and draining on SIGTERM.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keyIdOf } from '../../sidecar/src/token/keys/key-id';
import { VERSION } from '../../sidecar/src/version';
import { keyDirWithOneKey } from '../support/jwt-keys';
import { writePolicy } from '../support/test-sidecar';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'scripts/cli.ts');
const TSX = require.resolve('tsx/cjs', { paths: [ROOT] });

const secret = (): string => randomBytes(32).toString('hex');

function validEnv(): Record<string, string> {
  return {
    JWT_APP_ID: 'proc-test',
    JWT_APP_SECRET: secret(),
    PUBLIC_URL: 'https://meet.example.org',
    SIDECAR_PROXY_SECRET: secret(),
    SIDECAR_PORT: '0',
    BACKEND_PORT: '0',
  };
}

interface Child {
  proc: ChildProcess;
  stdout: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function serve(env: Record<string, string>, args: string[] = []): Child {
  // A fresh working directory: no stray .env is picked up.
  const cwd = mkdtempSync(join(tmpdir(), 'saml2jwt-cwd-'));
  const proc = spawn(process.execPath, ['--require', TSX, CLI, 'serve', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines);
  });
  proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => proc.on('exit', (code, signal) => done({ code, signal })));
  return { proc, stdout, stderr: () => stderr, exited };
}

async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the "listening" log line; returns the two ports. */
async function listening(child: Child): Promise<{ front: number; backend: number }> {
  for (let i = 0; i < 200; i++) {
    for (const line of child.stdout) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as { msg?: string; front?: { port: number }; backend?: { port: number } };
      if (entry.msg === 'listening' && entry.front && entry.backend) return { front: entry.front.port, backend: entry.backend.port };
    }
    if (child.proc.exitCode !== null) throw new Error(`exited early: ${child.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never listened: ${child.stderr()}`);
}

describe('process: jitsi-saml2jwt serve', function () {
  this.timeout(20_000);
  const children: Child[] = [];
  const start = (env: Record<string, string>, args: string[] = []): Child => {
    const child = serve(env, args);
    children.push(child);
    return child;
  };
  afterEach(() => {
    for (const c of children.splice(0)) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
  });

  describe('configuration errors: exit code 1, one line naming the variable, no stack', () => {
    const badPolicy = (): string => writePolicy('rules:\n  - name: broken\n    allow: perhaps\n');
    const cases: { name: string; env: () => Record<string, string | undefined>; variable: string; also?: () => string }[] = [
      { name: 'missing JWT_APP_SECRET', env: () => ({ JWT_APP_SECRET: undefined }), variable: 'JWT_APP_SECRET' },
      { name: 'short JWT_APP_SECRET', env: () => ({ JWT_APP_SECRET: 'f3A9c2' }), variable: 'JWT_APP_SECRET' },
      { name: 'placeholder JWT_APP_SECRET', env: () => ({ JWT_APP_SECRET: 'my_jitsi_app_secret' }), variable: 'JWT_APP_SECRET' },
      { name: 'missing JWT_APP_ID', env: () => ({ JWT_APP_ID: undefined }), variable: 'JWT_APP_ID' },
      { name: 'missing Jitsi URL', env: () => ({ PUBLIC_URL: undefined }), variable: 'PUBLIC_URL' },
      { name: 'unparsable number', env: () => ({ SIDECAR_PORT: '80a' }), variable: 'SIDECAR_PORT' },
      { name: 'unparsable boolean', env: () => ({ ENABLE_BACKEND_JWT_REQUEST: 'maybe' }), variable: 'ENABLE_BACKEND_JWT_REQUEST' },
      { name: 'bad JWT_TOKEN_MODE', env: () => ({ JWT_TOKEN_MODE: 'fancy' }), variable: 'JWT_TOKEN_MODE' },
      { name: 'bad policy file (YAML path named)', env: () => ({ POLICY_FILE: badPolicy() }), variable: 'POLICY_FILE', also: () => 'rules[0]' },
      { name: 'short SIDECAR_PROXY_SECRET', env: () => ({ SIDECAR_PROXY_SECRET: 'a1b2c3d4e5' }), variable: 'SIDECAR_PROXY_SECRET' },
      {
        name: 'RS256 with JWT_APP_SECRET still set',
        env: () => ({ JWT_SIGNING: 'RS256', JWT_KEYS_DIR: keyDirWithOneKey().dir }),
        variable: 'JWT_APP_SECRET',
        also: () => 'Prosody would still accept HS256 tokens made with it',
      },
      { name: 'RS256 with a missing key folder', env: () => ({ JWT_SIGNING: 'RS256', JWT_APP_SECRET: undefined, JWT_KEYS_DIR: '/nonexistent/jwt-keys' }), variable: 'JWT_KEYS_DIR' },
      { name: 'APP_SCHEME_IOS not a URL scheme', env: () => ({ APP_SCHEME_IOS: 'Org Jitsi' }), variable: 'APP_SCHEME_IOS' },
      { name: 'APP_SCHEME_ELECTRON a browser scheme', env: () => ({ APP_SCHEME_ELECTRON: 'https' }), variable: 'APP_SCHEME_ELECTRON' },
      { name: 'APP_ANDROID_SCHEME not a URL scheme', env: () => ({ APP_ANDROID_SCHEME: 'a;b' }), variable: 'APP_ANDROID_SCHEME' },
      { name: 'APP_ANDROID_PACKAGE not a Java package name', env: () => ({ APP_ANDROID_PACKAGE: 'org.jitsi;end' }), variable: 'APP_ANDROID_PACKAGE' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const overrides = c.env();
        const env: Record<string, string> = {};
        for (const [k, v] of Object.entries({ ...validEnv(), ...overrides })) if (v !== undefined) env[k] = v;
        const child = start(env);
        const { code } = await within(10_000, 'exit', child.exited);
        const stderr = child.stderr();
        expect(code, stderr).to.equal(1);
        const lines = stderr.trim().split('\n');
        expect(lines.some((l) => l.trim().startsWith(`${c.variable}`)), stderr).to.equal(true);
        if (c.also) expect(stderr).to.include(c.also());
        if (overrides.POLICY_FILE) expect(stderr).to.include(overrides.POLICY_FILE);
        expect(stderr).to.not.match(/^\s+at /m);
        expect(child.stdout.join('\n')).to.not.include('listening');
      });
    }

    it('reports every problem at once', async () => {
      const child = start({ PATH: process.env.PATH ?? '' });
      const { code } = await within(10_000, 'exit', child.exited);
      expect(code).to.equal(1);
      for (const name of ['JWT_APP_ID', 'JWT_APP_SECRET', 'PUBLIC_URL', 'SIDECAR_PROXY_SECRET']) expect(child.stderr()).to.include(name);
    });
  });

  it('JWT_SIGNING=RS256: starts without a shared secret and names the signing kid', async () => {
    const { dir, key } = keyDirWithOneKey();
    const env = { ...validEnv(), JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir };
    delete (env as Record<string, string | undefined>).JWT_APP_SECRET;
    const child = start(env);
    await within(15_000, 'listening', listening(child));
    const line = child.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'listening');
    expect(line).to.include({ signing: 'RS256', signingKid: keyIdOf(key.publicKey) });
    const configuration = child.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.msg === 'configuration');
    expect(configuration, 'the start-up log names the release').to.include({ version: VERSION });
    child.proc.kill('SIGTERM');
    expect((await within(10_000, 'exit', child.exited)).code).to.equal(0);
  });

  it('warns at start about a policy rule that keeps moderators in their own lobby (lobby_bypass: false)', async () => {
    const child = start({ ...validEnv(), POLICY_FILE: writePolicy('rules:\n  - { name: tutors moderate but knock, affiliation: owner, lobby_bypass: false }\n') });
    await within(15_000, 'listening', listening(child));
    const warning = child.stdout.map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.level === 'warn' || e.level === 40);
    expect(warning?.msg).to.match(/rule "tutors moderate but knock" says lobby_bypass: false: the moderators it applies to wait in their own lobby/);
    child.proc.kill('SIGTERM');
    expect((await within(10_000, 'exit', child.exited)).code).to.equal(0);
  });

  describe('--env-file', () => {
    it('reads the file, and the real environment wins over it', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-env-'));
      const file = join(dir, 'sidecar.env');
      const apiKey = secret();
      const appSecret = secret();
      const fileEnv = { ...validEnv(), JWT_APP_ID: 'from-file', JWT_APP_SECRET: appSecret, PUBLIC_URL: 'https://file.example', ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: apiKey };
      writeFileSync(file, Object.entries(fileEnv).map(([k, v]) => `${k}=${v}`).join('\n') + '\n# comment\n');
      const child = start({ JWT_APP_ID: 'from-env' }, ['--env-file', file]);
      const ports = await listening(child);
      const res = await fetch(`http://127.0.0.1:${ports.backend}/getToken?mail=a@uni.example&room=r`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.status).to.equal(200);
      const claims = JSON.parse(Buffer.from((await res.text()).split('.')[1] as string, 'base64url').toString()) as { iss: string };
      expect(claims.iss).to.equal('from-env');
      const config = child.stdout.map((l) => JSON.parse(l) as { msg?: string; config?: { publicUrl: string } }).find((l) => l.msg === 'configuration');
      expect(config?.config?.publicUrl).to.equal('https://file.example/');
      expect(child.stdout.join('\n')).to.not.include(appSecret);
      child.proc.kill('SIGTERM');
      expect((await within(10_000, 'exit', child.exited)).code).to.equal(0);
    });

    it('names a missing env file and exits non-zero', async () => {
      const child = start(validEnv(), ['--env-file', '/nonexistent/saml2jwt.env']);
      const { code } = await within(10_000, 'exit', child.exited);
      // Node itself (24 as 20) reads every --env-file in argv, even after the script, and exits 9
      // ("node: <path>: not found") before our code runs; a Node that leaves it to us exits 1.
      expect(code).to.be.oneOf([1, 9]);
      expect(child.stderr()).to.include('/nonexistent/saml2jwt.env');
    });
  });

  describe('SIGTERM', () => {
    it('stops accepting, finishes the request in flight, and exits 0 within 10 s', async () => {
      const apiKey = secret();
      const child = start({ ...validEnv(), ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: apiKey });
      const ports = await listening(child);

      // A request whose body arrives slowly: in flight while the signal comes.
      const body = JSON.stringify({ mail: 'slow@uni.example', room: 'drain-room' });
      const response = new Promise<{ status: number; text: string }>((done, fail) => {
        const req = request(
          { host: '127.0.0.1', port: ports.backend, path: '/getToken', method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => done({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', fail);
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 1200);
      });
      // An idle keep-alive connection must not hold the shutdown up.
      await fetch(`http://127.0.0.1:${ports.front}/healthz`);

      await new Promise((r) => setTimeout(r, 300));
      const signalledAt = Date.now();
      child.proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 400));
      const refused = await fetch(`http://127.0.0.1:${ports.front}/healthz`).then(
        () => false,
        () => true,
      );
      expect(refused, 'new connections are refused while draining').to.equal(true);

      const result = await within(10_000, 'in-flight response', response);
      expect(result.status).to.equal(200);
      expect(result.text.split('.')).to.have.length(3);
      const { code } = await within(10_000, 'exit', child.exited);
      expect(code).to.equal(0);
      expect(Date.now() - signalledAt).to.be.below(10_000);
      const messages = child.stdout.map((l) => (JSON.parse(l) as { msg?: string }).msg);
      expect(messages).to.include.members(['draining', 'stopped']);
    });
  });
});
