// The SP image's entrypoint waits for shibd to open its socket (it does once its metadata is
// loaded) before it starts Apache: up to SHIBD_START_TIMEOUT seconds, so a container loading a large
// aggregate is not killed and restarted half-way (issue 20 §3). Run on the host with the image's
// own scripts and templates, and stand-ins for shibd (opens its socket after a delay, or never)
// and Apache (says it started, then waits).
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spRootfs } from './support/paths';
import { ensureDir, layoutEnv, spLayout } from './support/sp';

interface Run {
  code: number | null;
  output: string;
  /** Seconds from start to exit, or to `stopAfter` being seen in the output (then it was stopped). */
  seconds: number;
}

describe('e2e: the SP entrypoint waits SHIBD_START_TIMEOUT for shibd', function () {
  this.timeout(60000);
  let dir: string;
  let fakes: string;
  let n = 0;

  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'saml2jwt-entrypoint-'));
    chmodSync(dir, 0o711); // the service user (as root: www-data) runs the scripts in here
    fakes = ensureDir(join(dir, 'bin'));
    chmodSync(fakes, 0o755);
    // shibd: after FAKE_SHIBD_DELAY seconds ("never": never) listens on $SHIB_RUN_DIR/shibd.sock.
    writeFileSync(join(fakes, 'shibd'), `#!${process.execPath}
const delay = process.env.FAKE_SHIBD_DELAY;
console.log('fake shibd: loading metadata');
if (delay !== 'never') setTimeout(() => require('node:net').createServer().listen(process.env.SHIB_RUN_DIR + '/shibd.sock'), Number(delay) * 1000);
setInterval(() => {}, 1000);
`, { mode: 0o755 });
    writeFileSync(join(fakes, 'apache2'), '#!/bin/sh\necho "fake apache2: started"\nexec sleep 60\n', { mode: 0o755 });
  });

  after(function () {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the entrypoint; stops it (SIGTERM) once `stopAfter` shows in its output. */
  function runEntrypoint(env: Record<string, string>, stopAfter?: string): Promise<Run> {
    const layout = spLayout(join(dir, `sp-${++n}`));
    const started = Date.now();
    const child = spawn(join(spRootfs, 'usr/local/bin/saml2jwt-entrypoint'), [], {
      env: {
        PATH: `${fakes}:${join(spRootfs, 'usr/local/bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        ...layoutEnv(layout),
        SAML2JWT_SERVICE_USER: 'www-data', // used only when the test runs as root
        SAML2JWT_SECRET_COPY_DIR: join(layout.root, 'secrets'),
        PUBLIC_URL: 'https://meet.example.test',
        METADATA_URL: 'https://idp.example.test/idp/shibboleth',
        SSO_URL: 'https://idp.example.test/idp/shibboleth',
        SIDECAR_PROXY_SECRET: 'e2e-proxy-secret-0123456789abcdef0123',
        ...env,
      },
    });
    let output = '';
    let seconds = 0;
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (stopAfter && !seconds && output.includes(stopAfter)) {
        seconds = (Date.now() - started) / 1000;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    return new Promise((resolve) => {
      child.on('exit', (code) => resolve({ code, output, seconds: seconds || (Date.now() - started) / 1000 }));
    });
  }

  it('gives up after SHIBD_START_TIMEOUT seconds when shibd never opens its socket, saying why', async function () {
    const run = await runEntrypoint({ SHIBD_START_TIMEOUT: '3', FAKE_SHIBD_DELAY: 'never' });
    expect(run.code, run.output).to.equal(1);
    expect(run.output).to.include('saml2jwt-entrypoint: shibd did not open its socket in 3 s (SHIBD_START_TIMEOUT)');
    expect(run.output).not.to.include('fake apache2: started');
    expect(run.seconds).to.be.within(3, 10);
  });

  it('starts Apache once shibd opens its socket, within SHIBD_START_TIMEOUT', async function () {
    // A shibd that takes 5 s, with 8 s allowed: Apache starts after it, not before.
    const run = await runEntrypoint({ SHIBD_START_TIMEOUT: '8', FAKE_SHIBD_DELAY: '5' }, 'fake apache2: started');
    expect(run.output).to.include('fake shibd: loading metadata');
    expect(run.output).not.to.include('did not open its socket');
    expect(run.seconds).to.be.within(5, 8);
    expect(run.code, run.output).to.equal(0); // stopped by SIGTERM: a clean stop
  });

  it('refuses a SHIBD_START_TIMEOUT that is not a number of seconds, before starting anything', async function () {
    const run = await runEntrypoint({ SHIBD_START_TIMEOUT: '2m', FAKE_SHIBD_DELAY: '0' });
    expect(run.code).to.equal(2);
    expect(run.output).to.include('saml2jwt-render: SHIBD_START_TIMEOUT must be a whole number of seconds, at least 1, not "2m"');
    expect(run.output).not.to.include('fake shibd');
  });
});
