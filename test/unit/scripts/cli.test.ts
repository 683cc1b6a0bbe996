// The four commands (serve, setup, doctor, keys) and the dispatcher: --help prints usage and
// exits 0; a usage error prints the message and the usage and exits 2, without a stack trace.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { run as doctor } from '../../../scripts/doctor';
import { run as keys } from '../../../scripts/keys';
import { run as setup } from '../../../scripts/setup';

const ROOT = resolve(__dirname, '../../..');
const TSX = require.resolve('tsx/cjs', { paths: [ROOT] });

type InProcess = (argv: string[], environment: { out: (t: string) => void; err: (t: string) => void }) => Promise<number>;

async function call(command: InProcess, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await command(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** A command as an operator runs it; a fresh working folder, so no stray .env is read. */
function spawnCli(script: string, argv: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['--require', TSX, join(ROOT, script), ...argv], {
    cwd: mkdtempSync(join(tmpdir(), 'saml2jwt-cli-')),
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const inProcess: [string, InProcess][] = [
  ['setup', setup],
  ['doctor', doctor],
  ['keys', keys],
];

describe('commands: arguments', () => {
  for (const [name, command] of inProcess) {
    describe(name, () => {
      it('--help and -h print the usage and exit 0', async () => {
        for (const flag of ['--help', '-h']) {
          const r = await call(command, [flag]);
          expect(r.code, flag).to.equal(0);
          expect(r.out).to.match(new RegExp(`^usage: jitsi-saml2jwt ${name}`));
          expect(r.out).to.include('--help');
        }
      });

      it('an unknown option is a usage error: message, usage, exit 2', async () => {
        const r = await call(command, ['--frobnicate']);
        expect(r.code).to.equal(2);
        expect(r.err).to.match(new RegExp(`^${name}: unknown option "--frobnicate"\\n\\nusage: jitsi-saml2jwt ${name}`));
        expect(r.out).to.equal('');
      });
    });
  }

  it('setup: a value option without its value, and a second folder, are usage errors', async () => {
    expect((await call(setup, ['/tmp/x', '--public-url'])).err).to.match(/^setup: --public-url needs a value/);
    const two = await call(setup, ['/tmp/x', '/tmp/y']);
    expect(two.code).to.equal(2);
    expect(two.err).to.match(/^setup: unexpected argument "\/tmp\/y"/);
  });

  it('keys: takes no positional argument', async () => {
    const r = await call(keys, ['sp']);
    expect(r.code).to.equal(2);
    expect(r.err).to.match(/^keys: unexpected argument "sp"/);
  });

  describe('serve (child process)', () => {
    it('--help prints the usage and exits 0, without starting', () => {
      const r = spawnCli('sidecar/src/main.ts', ['--help']);
      expect(r.code).to.equal(0);
      expect(r.out).to.match(/^usage: jitsi-saml2jwt serve \[--env-file PATH\]/);
    });

    it('an unknown option is a usage error: exit 2, no stack trace', () => {
      const r = spawnCli('sidecar/src/main.ts', ['--bogus']);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(/^serve: unknown option "--bogus"\n\nusage: jitsi-saml2jwt serve/);
      expect(r.err).to.not.match(/^\s+at /m);
    });

    it('--env-file without a path is a usage error: exit 2', () => {
      // Node reads an --env-file PATH after the script itself (process.test.ts); a bare one reaches us.
      const r = spawnCli('sidecar/src/main.ts', ['--env-file']);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(/^serve: --env-file needs a value\n\nusage: jitsi-saml2jwt serve/);
    });
  });

  describe('jitsi-saml2jwt (the dispatcher, child process)', () => {
    it('--help lists the four commands and exits 0', () => {
      const r = spawnCli('scripts/cli.ts', ['--help']);
      expect(r.code).to.equal(0);
      for (const name of ['serve', 'setup', 'doctor', 'keys']) expect(r.out).to.match(new RegExp(`^  ${name} `, 'm'));
    });

    it('no command, or an unknown one, is a usage error: exit 2', () => {
      expect(spawnCli('scripts/cli.ts', []).code).to.equal(2);
      const r = spawnCli('scripts/cli.ts', ['launch']);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(/^jitsi-saml2jwt: unknown command "launch"/);
    });

    it('passes the rest to the command: serve --help, keys --help', () => {
      expect(spawnCli('scripts/cli.ts', ['serve', '--help']).out).to.match(/^usage: jitsi-saml2jwt serve/);
      expect(spawnCli('scripts/cli.ts', ['keys', '--help']).out).to.match(/^usage: jitsi-saml2jwt keys/);
    });
  });
});
