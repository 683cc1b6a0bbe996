// The whole login through the containers: a docker-jitsi-meet checkout (stand-in web) wired by
// `jitsi-saml2jwt setup --test-idp`, brought up with our overlay, then a real browser goes
// Jitsi's login URL -> SP -> test IdP -> SP -> sidecar -> meeting, and `doctor` checks it.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, submitIdpLogin, tokenAuthUrl } from '../e2e/support/browser';
import { prosodyAccepts } from '../support/prosody-verifier';
import { docker, repoRoot, run, sleep, waitHealthy } from './docker-cli';
import { cliArgs, prosodyFor, stackServices, stackHooks, startWiredStack, type WiredStack } from './wired-stack';

const projectName = 'saml2jwt-live';

describe('docker: login through the containers (path mode)', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;

  before(async () => {
    stack = await startWiredStack({ name: projectName });
  });

  stackHooks(() => ({ stack, browser }));

  it('runs saml2jwt, saml-sp, test-idp and web healthy on the project’s meet.jitsi network', async () => {
    for (const service of stackServices) {
      const id = await stack.project.containerOf(service);
      const networks = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, { Aliases: string[] | null }>;
      expect(Object.keys(networks), service).to.deep.equal([`${stack.project.name}_meet.jitsi`]);
      if (service !== 'web') expect(networks[`${stack.project.name}_meet.jitsi`]?.Aliases, service).to.include(`${service}.meet.jitsi`);
    }
  });

  it('logs a user in through the IdP and lands on the meeting with a token Prosody accepts', async () => {
    browser = await launchBrowser();
    const page = await (await newContext(browser)).newPage();
    await page.goto(tokenAuthUrl(stack.publicUrl, 'Standup', ''));
    expect(new URL(page.url()).hostname, (await page.content()).slice(0, 500)).to.equal('idp.example.test');
    await submitIdpLogin(page, 'alice', 'alice-pass');
    await page.waitForURL((url) => url.searchParams.has('jwt'), { timeout: 60_000 });
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).to.equal(`${stack.publicUrl}/Standup`);
    expect(landed.hash).to.match(/^#config\.prejoinConfig\.enabled=false(&|$)/);
    expect(landed.hash, 'the state’s overrides come back').to.contain('config.startWithAudioMuted=true');
    expect(await page.textContent('#stand-in')).to.equal('Jitsi Meet stand-in');

    const token = landed.searchParams.get('jwt') ?? '';
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
    // nginx may hold the old address for its resolver's valid=30s; poll a bounded while.
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
