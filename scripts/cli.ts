#!/usr/bin/env node
// jitsi-saml2jwt <command>: the operator CLI. It lives with the tools and imports the sidecar
// as a library (serve); the sidecar never imports this file, so its image carries no tools.
// Each command module exports run(argv) -> exit code; loaded lazily so `serve` starts fast.

import { reportUsageError, UsageError } from '../sidecar/src/command-line';
import { VERSION } from '../sidecar/src/version';

type CommandModule = { run(argv: string[]): Promise<number> };

const commands: Record<string, { summary: string; load: () => CommandModule }> = {
  serve: { summary: 'run the token sidecar (reads the environment and .env / --env-file)', load: () => require('../sidecar/src/serve') },
  setup: { summary: 'wire SAML login into an existing docker-jitsi-meet checkout', load: () => require('./setup') },
  doctor: { summary: 'check a running docker-jitsi-meet + saml2jwt deployment', load: () => require('./doctor') },
  keys: { summary: 'the SP key and certificate; `keys rotate|list|revoke`: the RS256 token signing keys', load: () => require('./keys') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`);
  return `usage: jitsi-saml2jwt <command> [options]\n       jitsi-saml2jwt --version\n\ncommands:\n${lines.join('\n')}\n`;
}

// Only the command name is read here; each command parses its own options (parseArgs).
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const fail = (message: string): number => reportUsageError('jitsi-saml2jwt', new UsageError(message), usage(), (t) => process.stderr.write(t));
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`jitsi-saml2jwt ${VERSION}\n`);
    return 0;
  }
  if (!name) return fail('give a command');
  const command = commands[name];
  if (!command) return fail(`unknown command "${name}"`);
  return command.load().run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`jitsi-saml2jwt: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
