// `npm run bench:sign`: what one token's signature costs the sidecar's single event loop, for
// each algorithm and key size Prosody can verify (with ES256 for the record), and what verifying
// it costs (Prosody's side, measured here with Node's OpenSSL). HS256 and RS256 sign through the
// sidecar's own signers (token/sign.ts; RS256 through a KeyRing opened on a key folder written as
// `keys rotate` writes it). Rows take turns, ROUNDS times; the table shows medians.
// Env: SIGN_SECONDS per row and round (default 0.5).
import { createSecretKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { createJwtKey } from '../scripts/jwt-keys';
import type { JitsiClaims } from '../sidecar/src/token/claims';
import { KeyRing } from '../sidecar/src/token/keys/key-ring';
import { createKeyRingSigner, createSigner } from '../sidecar/src/token/sign';
import { median } from './support/percentiles';

const SECONDS = Math.max(0.2, Math.min(10, Number(process.env.SIGN_SECONDS ?? 0.5)));
const ROUNDS = 3;

function claims(): JitsiClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'bench', aud: 'bench', sub: 'meet.jitsi', room: 'standup', iat: now, nbf: now - 30, exp: now + 3600, jti: randomBytes(16).toString('hex'),
    context: { user: { id: '78c737d8eef86e8fefd956725d00fae8@example.test', name: 'Alice Example', email: 'alice@example.test' }, features: { recording: true, livestreaming: false } },
  };
}

const threadCpuUs = (): number => {
  const { user, system } = process.threadCpuUsage();
  return user + system;
};

/**
 * CPU µs of this thread per call of `work`, run for SECONDS after a short warm-up. CPU time, not
 * wall time: on a shared machine another process's turn on the core does not count against us.
 */
function microseconds(work: () => unknown): number {
  const warm = performance.now() + 100;
  while (performance.now() < warm) work();
  let n = 0;
  const cpuBefore = threadCpuUs();
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end) {
    work();
    n++;
  }
  return (threadCpuUs() - cpuBefore) / n;
}

interface Case {
  alg: string;
  key: string;
  prosody: string;
  sign: () => string;
  verify: (token: string) => unknown;
}

/** A key folder as `keys rotate --bits` writes it, opened the way the sidecar opens JWT_KEYS_DIR. */
function keyRing(dir: string, bits: number): KeyRing {
  const keyDir = join(dir, `rsa${bits}`);
  mkdirSync(keyDir, { mode: 0o700 });
  const key = createJwtKey(new Date(), bits);
  writeFileSync(join(keyDir, key.name), key.pem, { mode: 0o600 });
  return KeyRing.open(keyDir, { activationDelaySeconds: 300, maxValiditySeconds: 86400 });
}

function cases(dir: string): Case[] {
  const secret = randomBytes(32).toString('hex');
  const secretKey = createSecretKey(Buffer.from(secret));
  const list: Case[] = [
    { alg: 'HS256', key: '256-bit secret', prosody: 'yes (no kid)', sign: ((s) => () => s(claims()))(createSigner(secret)), verify: (t) => jwt.verify(t, secretKey, { algorithms: ['HS256'] }) },
  ];
  for (const bits of [2048, 3072, 4096]) {
    const ring = keyRing(dir, bits);
    const { kid, privateKey, publicKey } = ring.signingKey();
    const rs256 = createKeyRingSigner(ring);
    for (const alg of ['RS256', 'RS384', 'RS512'] as const) {
      const sign = alg === 'RS256' ? () => rs256(claims()) : () => jwt.sign(claims(), privateKey, { algorithm: alg, header: { alg, typ: 'JWT', kid } });
      list.push({ alg, key: `RSA ${bits}`, prosody: 'yes (kid)', sign, verify: (t) => jwt.verify(t, publicKey, { algorithms: [alg] }) });
    }
  }
  // For the record: far cheaper to sign, but Prosody accepts a kid only with the RS family.
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  list.push({
    alg: 'ES256', key: 'P-256', prosody: "no ('kid' only with the RS family)",
    sign: () => jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256', header: { alg: 'ES256', typ: 'JWT', kid: 'x' } }),
    verify: (t) => jwt.verify(t, ec.publicKey, { algorithms: ['ES256'] }),
  });
  return list;
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-bench-sign-'));
  const loadBefore = loadavg()[0] as number;
  try {
    const list = cases(dir);
    const signUs = list.map((): number[] => []);
    const verifyUs = list.map((): number[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      list.forEach((c, i) => {
        const token = c.sign();
        signUs[i]?.push(microseconds(c.sign));
        verifyUs[i]?.push(microseconds(() => c.verify(token)));
      });
    }
    const f = (n: number): string => n.toFixed(0);
    const range = (xs: number[]): string => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;
    const lines = [
      `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadBefore.toFixed(1)} → ${(loadavg()[0] as number).toFixed(1)}; CPU time of one thread, medians of ${ROUNDS} turns of ${SECONDS}s (range in brackets)`,
      '',
      '| alg | key | Prosody verifies | sign tokens/s per core | sign CPU µs | verify tokens/s per core | verify CPU µs |',
      '|---|---|---|---:|---:|---:|---:|',
      ...list.map((c, i) => {
        const s = signUs[i] as number[];
        const v = verifyUs[i] as number[];
        return `| ${c.alg} | ${c.key} | ${c.prosody} | ${f(1e6 / median(s))} | ${f(median(s))} (${range(s)}) | ${f(1e6 / median(v))} | ${f(median(v))} (${range(v)}) |`;
      }),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
