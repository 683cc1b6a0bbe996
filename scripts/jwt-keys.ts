// `jitsi-saml2jwt keys rotate|list|revoke`: the RS256 signing keys in ${CONFIG}/saml2jwt/jwt-keys/
// (mounted read-only into the sidecar at JWT_KEYS_DIR). `rotate` adds a key; the sidecar picks it
// up by itself, publishes it at once and signs with it after JWT_KEY_ACTIVATION_DELAY. Old keys
// retire by themselves; `revoke` (jwt-key-revoke.ts) withdraws one at once. Nothing is ever
// overwritten or printed.
import { generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommandLine, reportUsageError, UsageError } from '../sidecar/src/command-line';
import { MalformedEnvFile, type EnvFile } from '../sidecar/src/config/env-file';
import { readKeyDirectory, scheduleByFolder } from '../sidecar/src/token/keys/key-directory';
import { keyFileName } from '../sidecar/src/token/keys/key-file-name';
import { asapFileName, keyIdOf } from '../sidecar/src/token/keys/key-id';
import type { KeyTiming } from '../sidecar/src/token/keys/key-schedule';
import { commitStaged, discardStaged, stageFile } from './atomic-write';
import type { FileAccess } from './file-owner';
import { InvalidInput } from './input-checks';
import { NotAJitsiCheckout, readJitsiCheckout } from './jitsi-checkout';
import { revokeJwtKey } from './jwt-key-revoke';
import { secretAccess, secretDirMode } from './secret-files';

/**
 * The size of a new signing key. RSA 2048 (112-bit strength, NIST SP 800-57: acceptable through 2030)
 * signs in about a third of RSA 3072's time, and keys rotate: bench/README.md "RS256 at load" has
 * the measurements and the reasoning. --bits gives 3072 or 4096 to an operator whose policy asks for more.
 */
export const JWT_KEY_BITS = 2048;
export const JWT_KEY_BITS_CHOICES: readonly number[] = [2048, 3072, 4096];

export const jwtKeysUsage = `usage: jitsi-saml2jwt keys rotate|list|revoke <kid> (--jitsi-dir DIR | --dir DIR)

RS256 signing keys (JWT_SIGNING=RS256), one PEM per key:
  rotate            add a new RSA key (mode 0600); the sidecar publishes it at once and signs
                    with it after JWT_KEY_ACTIVATION_DELAY (at once when it is the first key)
  list              each key's kid, age and state: signing, published or retired; then the revoked kids
  revoke <kid>      withdraw a key at once (its private key may have been copied): recorded in
                    revoked/, its file deleted; the sidecar stops signing with it and publishing it
                    within 10 s, and the newest remaining key signs at once. Prints what Prosody
                    may still hold and the command that drops it

  --jitsi-dir DIR   the docker-jitsi-meet checkout: keys in \${CONFIG}/saml2jwt/jwt-keys
  --dir DIR         a key folder of its own (defaults for the timings)
  --bits N          rotate: the key's size, ${JWT_KEY_BITS_CHOICES.join(', ')} (default ${JWT_KEY_BITS}); a larger key
                    costs the sidecar more per token (docs/rs256-and-keys.md)
  -h, --help        show this help
`;

const options = {
  'jitsi-dir': { type: 'string' },
  dir: { type: 'string' },
  bits: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;
const privateKeyMode = 0o600;

export function jwtKeysDir(configDir: string): string {
  return path.join(configDir, 'saml2jwt', 'jwt-keys');
}

export interface NewJwtKey {
  name: string;
  pem: string;
  kid: string;
  bits: number;
}

/** A fresh RSA key (JWT_KEY_BITS unless told), named by the second it was made (the sidecar's rule). */
export function createJwtKey(now = new Date(), bits = JWT_KEY_BITS): NewJwtKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    name: keyFileName(Math.floor(now.getTime() / 1000)),
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    kid: keyIdOf(publicKey),
    bits,
  };
}

/** The sidecar reads its keys as uid 1000: root gives them that owner, anyone else keeps them. */
export function jwtKeyAccess(): { file: FileAccess; dir: FileAccess } {
  return { file: secretAccess(privateKeyMode), dir: secretAccess(secretDirMode) };
}

/** The timings the sidecar will use, from the .env (its defaults otherwise). */
export function keyTiming(env: EnvFile | undefined): KeyTiming {
  const seconds = (name: string, fallback: number): number => {
    const v = env?.expanded(name)?.trim();
    return v && /^[0-9]+$/.test(v) ? Number(v) : fallback;
  };
  return { activationDelaySeconds: seconds('JWT_KEY_ACTIVATION_DELAY', 300), maxValiditySeconds: seconds('MAX_VALIDITY', 86400) };
}

/** The kid that signs by the folder alone (as `keys list` shows it), or undefined when the folder cannot be read. */
export function signingKidOnDisk(dir: string, env: EnvFile | undefined, now = new Date()): string | undefined {
  const read = fs.existsSync(dir) ? readKeyDirectory(dir) : undefined;
  if (!read || 'problems' in read) return undefined;
  return scheduleByFolder(read, now.getTime() / 1000, keyTiming(env)).signingKid;
}

/** The kids revoked by the folder's records (doctor: none may be published). */
export function revokedKidsOnDisk(dir: string): string[] {
  return fs.existsSync(dir) ? readKeyDirectory(dir).revocations.map((r) => r.kid) : [];
}

export interface JwtKeysEnvironment {
  out?: (text: string) => void;
  err?: (text: string) => void;
  home?: string;
  now?: Date;
  makeKey?: (now: Date, bits: number) => NewJwtKey;
}

/**
 * A kid is base64url, so one in 64 begins with '-' and would be read as an option: the word after
 * `revoke` is the kid unless it is one of our own options (`keys revoke --dir DIR -- <kid>` works as well).
 */
function kidAsPositional(argv: string[]): string[] {
  const at = argv.indexOf('revoke');
  const kid = argv[at + 1];
  if (at === -1 || kid === undefined || !kid.startsWith('-') || kid === '--' || isOwnOption(kid)) return argv;
  return [...argv.slice(0, at + 1), ...argv.slice(at + 2), '--', kid];
}

function isOwnOption(word: string): boolean {
  const name = word.replace(/^--?/, '').split('=')[0] as string;
  return Object.entries(options).some(([long, o]) => long === name || ('short' in o && o.short === name));
}

export async function run(argv: string[], environment: JwtKeysEnvironment = {}): Promise<number> {
  const out = environment.out ?? ((t: string) => void process.stdout.write(t));
  const err = environment.err ?? ((t: string) => void process.stderr.write(t));
  try {
    const { values: opts, positionals } = parseCommandLine(kidAsPositional(argv), { options, maxPositionals: 2 });
    if (opts.help) {
      out(jwtKeysUsage);
      return 0;
    }
    const [action, kid] = positionals;
    if (action !== 'rotate' && action !== 'list' && action !== 'revoke') throw new UsageError('give rotate, list or revoke <kid>');
    if ((action === 'revoke') !== (kid !== undefined)) throw new UsageError(action === 'revoke' ? 'revoke needs the kid to revoke (`keys list` shows the kids)' : `${action} takes no kid`);
    if ((opts['jitsi-dir'] === undefined) === (opts.dir === undefined)) throw new UsageError('give --jitsi-dir or --dir (one of them)');
    if (opts.bits !== undefined && action !== 'rotate') throw new UsageError('--bits is for rotate');
    const bits = opts.bits === undefined ? JWT_KEY_BITS : Number(opts.bits);
    if (!JWT_KEY_BITS_CHOICES.includes(bits)) throw new UsageError(`--bits must be ${JWT_KEY_BITS_CHOICES.join(', ')}`);
    let dir = path.resolve(opts.dir ?? '.');
    let checkout: { dir: string; env: EnvFile } | undefined;
    if (opts['jitsi-dir'] !== undefined) {
      const found = readJitsiCheckout(opts['jitsi-dir'], environment.home ?? os.homedir());
      dir = jwtKeysDir(found.configDir);
      checkout = { dir: found.dir, env: found.env };
    }
    const now = environment.now ?? new Date();
    const timing = keyTiming(checkout?.env);
    if (action === 'revoke') return revokeJwtKey({ dir, kid: kid as string, timing, now, access: jwtKeyAccess(), ...(checkout ? { checkout } : {}), out, err });
    return action === 'rotate' ? rotate(dir, timing, now, () => (environment.makeKey ?? createJwtKey)(now, bits), out, err) : list(dir, timing, now, out, err);
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError('keys', e, jwtKeysUsage, err);
    if (e instanceof InvalidInput || e instanceof NotAJitsiCheckout || e instanceof MalformedEnvFile) {
      err(`keys: ${e.message}\n`);
      return e instanceof InvalidInput ? 2 : 1;
    }
    throw e;
  }
}

function rotate(dir: string, timing: KeyTiming, now: Date, makeKey: () => NewJwtKey, out: (t: string) => void, err: (t: string) => void): number {
  const access = jwtKeyAccess();
  const before = fs.existsSync(dir) ? readKeyDirectory(dir) : { keys: [] };
  if ('problems' in before && !before.problems.every((p) => p.includes('holds no key'))) {
    err(`keys: ${dir} has problems; fix them before adding a key:\n${before.problems.map((p) => `  ${p}\n`).join('')}`);
    return 1;
  }
  const first = !('keys' in before) || before.keys.length === 0;
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: access.dir.mode });
    fs.chmodSync(dir, access.dir.mode);
    if (process.getuid?.() === 0) fs.chownSync(dir, access.dir.uid, access.dir.gid);
  }
  const key = makeKey();
  const target = path.join(dir, key.name);
  // Hidden temporary file, then link(2): the sidecar never sees a half-written key, and an
  // existing key is never replaced.
  const staged = stageFile(target, key.pem, access.file.mode, access.file);
  try {
    commitStaged(staged, false);
  } catch (e) {
    discardStaged(staged);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      err(`keys: ${target} exists (a key was made this second); run rotate again\n`);
      return 1;
    }
    throw e;
  }
  const when = first ? 'it signs at once (the only key)' : `it signs from ${new Date(now.getTime() + timing.activationDelaySeconds * 1000).toISOString()} (JWT_KEY_ACTIVATION_DELAY=${timing.activationDelaySeconds}s after the sidecar publishes it)`;
  out(`added ${target} (RSA ${key.bits}, mode 0${access.file.mode.toString(8)}, owner uid ${access.file.uid})\n  kid ${key.kid}\n  key server file ${asapFileName(key.kid)}\n  ${when}\n`);
  if (access.file.uid !== 1000) err(`keys: warning: the sidecar reads its keys as uid 1000; run: sudo chown -R 1000:0 ${dir}\n`);
  return 0;
}

function list(dir: string, timing: KeyTiming, now: Date, out: (t: string) => void, err: (t: string) => void): number {
  const read = readKeyDirectory(dir);
  if ('problems' in read) {
    err(`keys: ${read.problems.join('\n  ')}\n`);
    return 1;
  }
  const nowSeconds = now.getTime() / 1000;
  const { states } = scheduleByFolder(read, nowSeconds, timing);
  const rows = read.keys.map((k) => [k.kid, age(nowSeconds - k.created), states.get(k.kid) ?? '?', k.name]);
  const header = ['KID', 'AGE', 'STATE', 'FILE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ') + '\n';
  const revoked = read.revocations.map((r) => `  ${r.kid}  ${new Date(r.revokedAt * 1000).toISOString()}\n`);
  out(line(header) + rows.map(line).join('') + (revoked.length > 0 ? `revoked (never signs or is published again):\n${revoked.join('')}` : ''));
  if (read.revokedFiles.length > 0) err(`keys: ${read.revokedFiles.map((f) => path.join(dir, f)).join(', ')}: key file of a revoked kid, ignored; delete it\n`);
  return 0;
}

function age(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86400)}d`;
}
