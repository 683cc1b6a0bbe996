// serve (main.ts in the image, `jitsi-saml2jwt serve` from the CLI): read the configuration
// once, start both listeners, and drain gracefully on SIGTERM / SIGINT. Resolves with the exit
// code once the server has stopped.
import { parseCommandLine, reportUsageError, UsageError } from './command-line';
import { ConfigError, describeConfig } from './config/load';
import { readEnvironment } from './config/env-file';
import { loadSettings, type Settings } from './settings';
import { VERSION } from './version';
import { startSidecar } from './http/sidecar-server';
import { createLogger } from './log';

/** Everything must be closed well within the 10 s a container runtime usually grants. */
const DRAIN_DEADLINE_MS = 8000;

export const serveUsage = `usage: jitsi-saml2jwt serve [--env-file PATH]

Runs the token sidecar. Configuration comes from the environment, overlaid on PATH (or on .env in
the working folder when present); every variable is documented in .env_ref.

  --env-file PATH   read this .env file (it must exist)
  -h, --help        show this help
`;

const serveOptions = {
  'env-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function configure(envFile: string | undefined): Settings | string[] {
  try {
    return loadSettings(readEnvironment(process.env, envFile));
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
  let args;
  try {
    args = parseCommandLine(argv, { options: serveOptions }).values;
  } catch (err) {
    if (err instanceof UsageError) return reportUsageError('serve', err, serveUsage, (t) => process.stderr.write(t));
    throw err;
  }
  if (args.help) {
    process.stdout.write(serveUsage);
    return 0;
  }
  const settings = configure(args['env-file']);
  if (Array.isArray(settings)) {
    process.stderr.write('jitsi-saml2jwt: invalid configuration\n');
    for (const problem of settings) process.stderr.write(`  ${problem}\n`);
    return 1;
  }
  const { cfg, policy, keys } = settings;
  const log = createLogger(cfg.logLevel);
  log.info({ version: VERSION, config: describeConfig(cfg) }, 'configuration');
  for (const warning of policy.warnings) log.warn({ policyFile: cfg.policyFile }, warning);

  const signalled = untilSignalled();
  let server;
  try {
    server = await startSidecar(cfg, policy, log, keys ? { keys } : {});
  } catch (err) {
    process.stderr.write(`jitsi-saml2jwt: cannot listen: ${err instanceof Error ? err.message : String(err)}\n`);
    log.flush();
    return 1;
  }
  log.info({ front: server.front, frontAddresses: server.frontAddresses, backend: server.backend, mintApi: cfg.backend.mintApiEnabled, signing: cfg.jwt.signing, signingKid: keys?.schedule().signingKid ?? null }, 'listening');

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
