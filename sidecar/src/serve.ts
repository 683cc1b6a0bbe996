// serve (main.ts in the image, `jitsi-saml2jwt serve` from the CLI): read the configuration
// once, start both listeners, and drain gracefully on SIGTERM / SIGINT. Resolves with the exit code once the server has stopped.
import { ConfigError, describeConfig } from './config/load';
import { readEnvironment } from './config/env-file';
import { loadSettings, type Settings } from './settings';
import { startSidecar } from './http/sidecar-server';
import { createLogger } from './log';

/** Everything must be closed well within the 10 s a container runtime usually grants. */
const DRAIN_DEADLINE_MS = 8000;

function parseArgs(argv: string[]): { envFile?: string } | string {
  const out: { envFile?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--env-file') {
      const value = argv[++i];
      if (value === undefined || value === '') return '--env-file needs a path';
      out.envFile = value;
    } else if (arg.startsWith('--env-file=')) {
      out.envFile = arg.slice('--env-file='.length);
    } else {
      return `unknown option "${arg}" (usage: jitsi-saml2jwt serve [--env-file <path>])`;
    }
  }
  return out;
}

function configure(argv: string[]): Settings | string[] {
  const args = parseArgs(argv);
  if (typeof args === 'string') return [args];
  try {
    return loadSettings(readEnvironment(process.env, args.envFile));
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    return [err instanceof Error ? err.message : String(err)];
  }
}

function untilSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export async function run(argv: string[]): Promise<number> {
  const settings = configure(argv);
  if (Array.isArray(settings)) {
    process.stderr.write('jitsi-saml2jwt: invalid configuration\n');
    for (const problem of settings) process.stderr.write(`  ${problem}\n`);
    return 1;
  }
  const { cfg, policy } = settings;
  const log = createLogger(cfg.logLevel);
  log.info({ config: describeConfig(cfg) }, 'configuration');

  const signalled = untilSignalled();
  let server;
  try {
    server = await startSidecar(cfg, policy, log);
  } catch (err) {
    process.stderr.write(`jitsi-saml2jwt: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
    log.flush();
    return 1;
  }
  log.info({ front: server.front, backend: server.backend, mintApi: cfg.backend.mintApiEnabled }, 'listening');

  const signal = await signalled;
  log.info({ signal }, 'draining');
  // A second signal while draining means "now".
  const forceNow = (): void => void server.stop(0);
  process.once('SIGTERM', forceNow);
  process.once('SIGINT', forceNow);
  await server.stop(DRAIN_DEADLINE_MS);
  process.off('SIGTERM', forceNow);
  process.off('SIGINT', forceNow);
  log.info('stopped');
  log.flush();
  return 0;
}
