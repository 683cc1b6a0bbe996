// An existing docker-jitsi-meet checkout: its folder, its .env (parsed, bytes kept) and the
// CONFIG folder every volume lives under.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EnvFile } from '../sidecar/src/config/env-file';

export class NotAJitsiCheckout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotAJitsiCheckout';
  }
}

export interface JitsiCheckout {
  dir: string;
  envPath: string;
  envText: string;
  env: EnvFile;
  configDir: string; // CONFIG, expanded and absolute
}

/** Reads the checkout; throws NotAJitsiCheckout (what to do) or MalformedEnvFile (line number). */
export function readJitsiCheckout(dirArg: string, home = os.homedir()): JitsiCheckout {
  const dir = path.resolve(dirArg);
  if (!fs.existsSync(path.join(dir, 'docker-compose.yml'))) {
    throw new NotAJitsiCheckout(`${dir} has no docker-compose.yml: give the folder of a docker-jitsi-meet checkout`);
  }
  const envPath = path.join(dir, '.env');
  if (!fs.existsSync(envPath)) {
    const hint = fs.existsSync(path.join(dir, 'env.example'))
      ? `run docker-jitsi-meet's own setup first: cd ${dir} && cp env.example .env && ./gen-passwords.sh`
      : 'create it from docker-jitsi-meet\'s env.example first';
    throw new NotAJitsiCheckout(`${envPath} does not exist; ${hint}. Nothing was changed.`);
  }
  const envText = fs.readFileSync(envPath, 'utf8');
  const env = EnvFile.parse(envText);
  return { dir, envPath, envText, env, configDir: configFolder(env, dir, home) };
}

/** CONFIG as compose resolves it: ${...} from the .env, `~` = home, relative to the checkout. */
export function configFolder(env: EnvFile, dir: string, home = os.homedir()): string {
  const raw = env.expanded('CONFIG');
  if (!raw) throw new NotAJitsiCheckout(`CONFIG is not set in ${path.join(dir, '.env')}: docker-jitsi-meet needs it (default ~/.jitsi-meet-cfg)`);
  const tilde = raw === '~' || raw.startsWith('~/') ? path.join(home, raw.slice(1)) : raw;
  return path.resolve(dir, tilde);
}
