// The whole login through the containers: a docker-jitsi-meet checkout (stand-in web) wired by
// `jitsi-saml2jwt setup --test-idp`, brought up with our overlay, then a real browser goes
// Jitsi's login URL -> SP -> test IdP -> SP -> sidecar -> meeting, and `doctor` checks it.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, submitIdpLogin, tokenAuthUrl } from '../e2e/support/browser';
import { prosodyAccepts } from '../support/prosody-verifier';
import { docker, localBases, repoRoot, run, sleep, waitHealthy } from './docker-cli';
import { cliArgs, expectSecretFilesFromSetup, prosodyFor, stackServices, stackHooks, startWiredStack, type WiredStack } from './wired-stack';
import { clientJwtFromUrl, clientTokenOf, clientUrlParams } from '../support/jitsi-client';

const projectName = 'saml2jwt-live';

describe('docker: login through the containers (path mode)', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;

  before(async () => {
    stack = await startWiredStack({ name: projectName });
  });

  stackHooks(() => ({ stack, browser }));

  it('runs saml2jwt, saml-sp, test-idp and web healthy; only saml-sp joins both meet.jitsi and the internal network', async () => {
    const meet = `${stack.project.name}_meet.jitsi`;
    const internal = `${stack.project.name}_saml2jwt-internal`;
    const expected: Record<string, string[]> = { web: [meet], 'test-idp': [meet], 'saml-sp': [meet, internal], saml2jwt: [internal] };
    for (const service of stackServices) {
      const id = await stack.project.containerOf(service);
      const networks = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, { Aliases: string[] | null }>;
      expect(Object.keys(networks).sort(), service).to.deep.equal(expected[service]);
      if (service !== 'web') expect(networks[expected[service]![0]!]?.Aliases, service).to.include(`${service}.meet.jitsi`);
    }
  });

  it('the sidecar is out of reach of every other container on meet.jitsi; the SP reaches it', async () => {
    const sidecarIp = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', await stack.project.containerOf('saml2jwt')])) as Record<string, { IPAddress: string }>;
    const ip = sidecarIp[`${stack.project.name}_saml2jwt-internal`]?.IPAddress;
    expect(ip).to.be.a('string').and.not.equal('');
    // A throw-away container on meet.jitsi, as any Jitsi service (or a compromised one) is.
    const probe = `const ask = (u) => fetch(u, { signal: AbortSignal.timeout(3000) }).then((r) => r.status, (e) => String(e.cause?.code ?? e.name));
      Promise.all(process.argv.slice(1).map(ask)).then((r) => console.log(JSON.stringify(r)));`;
    const urls = ['http://saml-sp.meet.jitsi:8080/saml2jwt/Shibboleth.sso/Metadata', 'http://saml2jwt.meet.jitsi:8080/healthz', 'http://saml2jwt:8080/healthz', `http://${ip}:8080/healthz`, `http://${ip}:8081/metrics`];
    const out = await docker(['run', '--rm', '--network', `${stack.project.name}_meet.jitsi`, '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges:true', localBases.node, 'node', '-e', probe, ...urls], { timeoutMs: 60_000 });
    const [sp, ...sidecar] = JSON.parse(out.trim()) as Array<number | string>;
    expect(sp, 'the network itself works: the SP answers').to.equal(200);
    for (const [i, result] of sidecar.entries()) expect(result, urls[i + 1]).to.be.a('string');
    // The SP itself reaches it over the internal network.
    const fromSp = await docker(['exec', await stack.project.containerOf('saml-sp'), 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://saml2jwt.meet.jitsi:8080/healthz']);
    expect(fromSp).to.equal('200');
  });

  it('runs on the secret files setup wrote: the .env\'s values, 0440, uid 1000 / gid 0, in a 0750 folder', () => {
    expectSecretFilesFromSetup(stack.project, stack.env);
  });

  it('keeps the secrets out of `docker inspect`: they are files under /run/secrets', async () => {
    for (const service of stackServices) {
      const env = await docker(['inspect', '--format', '{{json .Config.Env}}', await stack.project.containerOf(service)]);
      for (const key of ['JWT_APP_SECRET', 'SIDECAR_PROXY_SECRET']) {
        const value = stack.env.get(key);
        expect(value, key).to.be.a('string').with.length.above(31);
        expect(env, `${service} shows ${key}`).not.to.contain(value);
      }
    }
    const sidecarEnv = await docker(['inspect', '--format', '{{json .Config.Env}}', await stack.project.containerOf('saml2jwt')]);
    expect(sidecarEnv).to.contain('JWT_APP_SECRET_FILE=/run/secrets/jwt_app_secret').and.contain('SIDECAR_PROXY_SECRET_FILE=/run/secrets/sidecar_proxy_secret');
  });

  it('runs no process as root in the SP or the sidecar, with every capability dropped and no new privileges', async () => {
    for (const service of ['saml-sp', 'saml2jwt']) {
      const id = await stack.project.containerOf(service);
      const rows = (await docker(['top', id, '-eo', 'pid,uid,comm'])).trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
      expect(rows.length, service).to.be.above(0);
      for (const [, uid, comm] of rows) expect(uid, `${service}: ${comm} runs as uid ${uid}`).not.to.equal('0');
      if (service === 'saml-sp') expect(rows.map((r) => r[2])).to.include.members(['apache2', 'shibd']);
      const host = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig}}', id])) as { CapDrop: string[] | null; CapAdd: string[] | null; SecurityOpt: string[] | null };
      expect(host.CapDrop, service).to.deep.equal(['ALL']);
      expect(host.SecurityOpt, service).to.include('no-new-privileges:true');
    }
    // What is left of the SP's three capabilities after the switch to its service user: nothing.
    const caps = await docker(['exec', await stack.project.containerOf('saml-sp'), 'sh', '-c', 'for d in /proc/[0-9]*; do case $(cat $d/comm 2>/dev/null) in apache2|shibd) grep -E "^(Name|Uid|CapEff|CapPrm)" $d/status;; esac; done']);
    expect(caps).to.match(/CapEff:\s+0{16}/);
    expect(caps).not.to.match(/Cap(Eff|Prm):\s+(?!0{16})/);
  });

  it('logs a user in through the IdP and lands on the meeting with a token Prosody accepts', async () => {
    browser = await launchBrowser();
    const page = await (await newContext(browser)).newPage();
    await page.goto(tokenAuthUrl(stack.publicUrl, 'Standup', ''));
    expect(new URL(page.url()).hostname, (await page.content()).slice(0, 500)).to.equal('idp.example.test');
    await submitIdpLogin(page, 'alice', 'alice-pass');
    await page.waitForURL((url) => clientJwtFromUrl(url.href).jwt !== undefined, { timeout: 60_000 });
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).to.equal(`${stack.publicUrl}/Standup`);
    // Read the hash as Jitsi's client does: the token, our prejoin override and the state's own overrides.
    const hash = clientUrlParams(landed, 'hash', false);
    expect(hash['config.prejoinConfig.enabled']).to.equal(false);
    expect(hash['config.startWithAudioMuted'], 'the state’s overrides come back').to.equal(true);
    expect(await page.textContent('#stand-in')).to.equal('Jitsi Meet stand-in');

    const token = clientTokenOf(landed.href);
    const prosody = prosodyFor(stack.env);
    expect(prosody.domainVerification, 'setup turns domain verification on').to.equal(true);
    const verdict = prosodyAccepts(token, { ...prosody, room: 'standup' });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
    if (!verdict.ok) return;
    const user = (verdict.claims.context as { user: Record<string, unknown> }).user;
    expect(user).to.include({ email: 'alice@example.test', name: 'Alice Example' });
    expect(prosodyAccepts(token, { ...prosody, room: 'other' })).to.include({ ok: false });
  });

  it('mints nothing for identity headers sent from outside, even with the proxy secret', async () => {
    const forged = await run('curl', [
      '-sk', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}',
      '--resolve', `meet.example.test:${stack.webPort}:127.0.0.1`,
      '-H', `X-SAML2JWT-Proxy-Secret: ${stack.env.get('SIDECAR_PROXY_SECRET')}`,
      '-H', 'mail: mallory@evil.example', '-H', 'displayName: Mallory',
      `${stack.publicUrl}/saml2jwt/redirectWithToken?room=standup`,
    ]);
    expect(forged.code, forged.stderr).to.equal(0);
    const [status, location] = forged.stdout.split(' ');
    expect(status).to.equal('302');
    expect(new URL(location ?? '').hostname, 'the SP sends an unknown visitor to the IdP').to.equal('idp.example.test');
    expect(location).not.to.contain('jwt=');
  });

  it('doctor checks what runs and fails on the Jitsi services that are missing', async () => {
    const r = await run(process.execPath, [...cliArgs, 'doctor', stack.project.dir], { cwd: repoRoot, timeoutMs: 120_000 });
    const out = r.stdout + r.stderr;
    expect(r.code, out).to.equal(1);
    expect(out).to.match(/^FAIL\s+prosody runs/m);
    expect(out).to.match(/^ok\s+saml2jwt answers \/readyz/m);
    expect(out).to.match(/^ok\s+saml-sp serves its SAML metadata/m);
    expect(out).to.match(/^ok\s+web sends logins to our SP/m);
    expect(out).to.match(/^ok\s+saml-sp and saml2jwt share SIDECAR_PROXY_SECRET, strong by the sidecar's rule/m);
    expect(out).to.match(/^ok\s+saml-sp is on the meet\.jitsi and saml2jwt-internal networks/m);
    expect(out).to.match(/^ok\s+saml2jwt is on the saml2jwt-internal network, where saml-sp reaches it \(\S+_saml2jwt-internal\)$/m);
    expect(out).to.match(/^ok\s+the secret files the containers mount are not readable by other users: jwt_app_secret \(0440 1000:0\), sidecar_proxy_secret \(0440 1000:0\)$/m);
    expect(out).to.match(/^ok\s+the test IdP \(\S+\) runs as the SP's only IdP \(METADATA_URL=https:\/\/test-idp\.meet\.jitsi:8443\//m);
    // setup made the .env and its backup 0600
    expect(out).to.match(/^ok\s+the \.env and its 1 backup in .* are readable by their owner only/m);
    for (const key of ['JWT_APP_SECRET', 'SIDECAR_PROXY_SECRET']) expect(out, `${key} leaked`).not.to.contain(stack.env.get(key));
  });

  it('keeps the SP’s key across a recreated saml-sp, and web finds the new container', async () => {
    const metadata = async () =>
      run('curl', ['-sk', '--max-time', '5', '--resolve', `meet.example.test:${stack.webPort}:127.0.0.1`, `${stack.publicUrl}/saml2jwt/Shibboleth.sso/Metadata`]);
    const certOf = (xml: string) => /<ds:X509Certificate>\s*([^<]+?)\s*<\/ds:X509Certificate>/.exec(xml)?.[1];
    const before = certOf((await metadata()).stdout);
    expect(before, 'metadata carries the SP certificate').to.be.a('string');
    await stack.project.compose(['up', '-d', '--no-build', '--no-deps', '--force-recreate', 'saml-sp'], 180_000);
    await waitHealthy([await stack.project.containerOf('saml-sp')], 120_000);
    // nginx may hold the old address for its resolver's valid=1s; poll a bounded while.
    let after: string | undefined;
    for (let i = 0; i < 45 && after === undefined; i++) {
      after = certOf((await metadata()).stdout);
      if (after === undefined) await sleep(1000);
    }
    expect(after).to.equal(before);
  });

  it('tears down to nothing: no container, network or volume of the project is left', async () => {
    const problem = await stack.project.destroy();
    expect(problem).to.equal('');
    const label = `label=com.docker.compose.project=${stack.project.name}`;
    expect((await docker(['ps', '-aq', '--filter', label])).trim()).to.equal('');
    expect((await docker(['network', 'ls', '-q', '--filter', label])).trim()).to.equal('');
    expect((await docker(['volume', 'ls', '-q', '--filter', label])).trim()).to.equal('');
  });
});
