// A docker-jitsi-meet-shaped checkout in a temporary folder, wired the way `setup` wires a real
// one: our overlays copied beside docker-compose.yml, the settings in .env, CONFIG inside the
// folder (so `down -v` plus removing the folder leaves nothing behind).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mustRun, repoRoot, run, testPrefix, type Ran } from './docker-cli';
import { isOverlayFile } from '../../scripts/setup/overlays';

export interface ProjectOptions {
  /** Folder holding the fixture's docker-compose.yml (and anything it builds). */
  fixtureDir: string;
  /** compose project name (after SAML2JWT_DOCKER_TEST_PREFIX); also COMPOSE_PROJECT_NAME in .env, so `doctor` finds the same containers. */
  name: string;
  env: Record<string, string>;
  /** An operator's .env to start from (our lines are appended, as `setup` appends them). */
  baseEnvFile?: string;
  /** Extra overlays of ours to pass after saml2jwt.yml, e.g. saml2jwt-backend.yml. */
  overlays?: string[];
  profiles?: string[];
}

export class ComposeProject {
  readonly dir: string;
  readonly configDir: string;
  readonly name: string;
  private readonly files: string[];
  private readonly profiles: string[];
  private destroyed = false;

  constructor(opts: ProjectOptions) {
    this.name = `${testPrefix}${opts.name}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.name}-`));
    fs.cpSync(opts.fixtureDir, this.dir, { recursive: true });
    for (const file of fs.readdirSync(path.join(repoRoot, 'compose-overlay'))) {
      if (isOverlayFile(file)) fs.copyFileSync(path.join(repoRoot, 'compose-overlay', file), path.join(this.dir, file));
    }
    this.configDir = path.join(this.dir, 'cfg');
    const env = { CONFIG: this.configDir, COMPOSE_PROJECT_NAME: this.name, SAML2JWT_SRC: repoRoot, ...opts.env };
    const base = opts.baseEnvFile ? `${fs.readFileSync(opts.baseEnvFile, 'utf8').trimEnd()}\n\n` : '';
    const ours = Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join('');
    fs.writeFileSync(path.join(this.dir, '.env'), base + ours, { mode: 0o600 });
    this.files = ['docker-compose.yml', 'saml2jwt.yml', ...(opts.overlays ?? [])];
    this.profiles = opts.profiles ?? [];
  }

  private args(rest: string[]): string[] {
    const args = ['compose', '--project-directory', this.dir, '-p', this.name];
    for (const f of this.files) args.push('-f', path.join(this.dir, f));
    for (const p of this.profiles) args.push('--profile', p);
    return [...args, ...rest];
  }

  /** `docker compose ...` in the project's folder; throws on a non-zero exit. */
  compose(rest: string[], timeoutMs = 120_000): Promise<string> {
    return mustRun('docker', this.args(rest), { timeoutMs, cwd: this.dir, env: this.cleanEnv() });
  }

  tryCompose(rest: string[], timeoutMs = 120_000): Promise<Ran> {
    return run('docker', this.args(rest), { timeoutMs, cwd: this.dir, env: this.cleanEnv() });
  }

  /** compose's own view of the merged configuration. */
  async config(): Promise<ComposeModel> {
    return JSON.parse(await this.compose(['config', '--format', 'json'])) as ComposeModel;
  }

  /** Container id of a service of this project. */
  async containerOf(service: string): Promise<string> {
    const id = (await this.compose(['ps', '-q', service])).trim();
    if (!id) throw new Error(`no container for ${service}`);
    return id;
  }

  /** Container ids of every replica of a service (or of every service), in compose's order; with `stopped`, exited ones too. */
  async containersOf(service?: string, stopped = false): Promise<string[]> {
    return (await this.compose(['ps', '-q', ...(stopped ? ['-a'] : []), ...(service ? [service] : [])])).trim().split('\n').filter((id) => id !== '');
  }

  /** Stops and removes containers, networks and volumes, then the folder. Never throws. */
  async destroy(): Promise<string> {
    if (this.destroyed) return '';
    this.destroyed = true;
    const r = await this.tryCompose(['down', '-v', '--remove-orphans', '--timeout', '5'], 120_000);
    fs.rmSync(this.dir, { recursive: true, force: true });
    return r.code === 0 ? '' : `compose down failed: ${r.stderr}`;
  }

  /** The shell's variables must not override .env (an operator's own shell would not set ours). */
  private cleanEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const key of ['PATH', 'HOME', 'DOCKER_HOST', 'DOCKER_CONFIG', 'TMPDIR']) if (process.env[key]) env[key] = process.env[key];
    return env;
  }
}

/** The part of `docker compose config --format json` the tests read. */
export interface ComposeModel {
  name: string;
  services: Record<string, ComposeService>;
  networks: Record<string, { name: string; internal?: boolean }>;
  secrets?: Record<string, { name: string; file?: string }>;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  restart?: string;
  read_only?: boolean;
  tmpfs?: string[];
  profiles?: string[];
  ports?: Array<{ target: number; published?: string; host_ip?: string; protocol?: string }>;
  environment?: Record<string, string | null>;
  volumes?: Array<{ type: string; source: string; target: string; read_only?: boolean }>;
  networks?: Record<string, { aliases?: string[] } | null>;
  healthcheck?: { test: string[]; start_period?: string };
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  secrets?: Array<{ source: string; target: string }>;
}
