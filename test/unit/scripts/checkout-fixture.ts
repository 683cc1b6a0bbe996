// A throw-away copy of a docker-jitsi-meet fixture checkout, with its own HOME (so CONFIG=~/...
// lands in a temporary folder), and helpers to run setup and to fingerprint every file.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run, type SetupEnvironment } from '../../../scripts/setup';
import { packageRoot } from '../../../scripts/package-root';
import { createSpKeyPair, type SpKeyPair } from '../../../scripts/sp-keys';
import { injectFsFault, type FsFault } from '../../support/fs-faults';

export const fixturesDir = path.resolve(__dirname, '../../fixtures/docker-jitsi-meet');
export const realPackageRoot = packageRoot(__dirname);

export interface Checkout {
  root: string; // holds everything below, removed by cleanup()
  dir: string; // the docker-jitsi-meet checkout
  home: string;
  configDir: string; // CONFIG=~/.jitsi-meet-cfg under home
  envPath: string;
  originalEnv: string;
  cleanup(): void;
}

export function copyCheckout(fixture = 'basic', edit?: (env: string) => string): Checkout {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-setup-'));
  const dir = path.join(root, 'docker-jitsi-meet');
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  fs.cpSync(path.join(fixturesDir, fixture), dir, { recursive: true });
  const envPath = path.join(dir, '.env');
  const stored = path.join(dir, 'dotenv'); // the repository ignores .env files
  if (fs.existsSync(stored)) {
    const text = fs.readFileSync(stored, 'utf8');
    fs.rmSync(stored);
    fs.writeFileSync(envPath, edit ? edit(text) : text);
  }
  return {
    root,
    dir,
    home,
    configDir: path.join(home, '.jitsi-meet-cfg'),
    envPath,
    originalEnv: fs.existsSync(envPath) ? fs.readFileSync(envPath, 'utf8') : '',
    cleanup: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

let sharedPair: SpKeyPair | undefined;
/** One real key pair for the whole suite: RSA 3072 generation stays out of most tests. */
export function sharedSpKeys(): SpKeyPair {
  sharedPair ??= createSpKeyPair('meet.example.com', 'https://meet.example.com:8443/saml2jwt/shibboleth');
  return sharedPair;
}

export function preCreateSpKeys(c: Checkout): void {
  const dir = path.join(c.configDir, 'saml2jwt', 'sp');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'sp-key.pem'), sharedSpKeys().keyPem, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'sp-cert.pem'), sharedSpKeys().certPem);
}

export interface SetupRun {
  code: number;
  out: string;
  err: string;
}

export async function runSetup(c: Checkout, args: string[], extra: SetupEnvironment = {}): Promise<SetupRun> {
  let out = '';
  let err = '';
  const code = await run([c.dir, ...args], {
    home: c.home,
    packageRootDir: realPackageRoot,
    interactive: false,
    out: (t) => (out += t),
    err: (t) => (err += t),
    ...extra,
  });
  return { code, out, err };
}

/**
 * runSetup with an error thrown before write number `at` under the checkout's root
 * (test/support/fs-faults.ts); `fault.fired` says whether setup got that far.
 */
export async function runSetupFailingBefore(c: Checkout, at: number, args: string[], extra: SetupEnvironment = {}): Promise<{ r: SetupRun; fault: FsFault }> {
  const fault = injectFsFault(c.root, at, (write) => {
    throw new Error(`injected failure before ${write}`);
  });
  try {
    return { r: await runSetup(c, args, extra), fault };
  } finally {
    fault.remove();
  }
}

/** sha256 of every file (dot files too) under the given folders, keyed by path. */
export function fingerprint(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        out.set(p + '/', 'dir');
        walk(p);
      } else out.set(p, createHash('sha256').update(fs.readFileSync(p)).digest('hex'));
    }
  };
  dirs.forEach(walk);
  return out;
}

/** Mode bits and owner of every file and folder under the given folders, keyed by path. */
export function accessPrint(...dirs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      const st = fs.statSync(p);
      out.set(p, `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`);
      if (entry.isDirectory()) walk(p);
    }
  };
  dirs.forEach(walk);
  return out;
}

/** What sudo sets for the user who ran it (used by the tests that run as root). */
export const sudoEnv = { SUDO_UID: '4242', SUDO_GID: '4343', SUDO_USER: 'alice' };
export const runsAsRoot = process.getuid?.() === 0;

export const directIdpArgs = [
  '--public-url',
  'https://meet.example.com:8443',
  '--idp-entity-id',
  'https://idp.example.org/idp/shibboleth',
  '--metadata-url',
  'https://idp.example.org/idp/shibboleth',
  '--non-interactive',
];

export function envLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}
