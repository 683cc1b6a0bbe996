// Two of everything (compose-overlay/saml2jwt-ha.yml): a checkout wired by `setup --test-idp --ha`,
// brought up with the HA overlay (two SP replicas, two sidecar replicas, memcached), then real
// browsers and a bounded loopback load while replicas are stopped, killed and restarted.
import { expect } from 'chai';
import * as https from 'node:https';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { gotoPastHostNetworkChanges, launchBrowser, newContext, submitIdpLogin, tokenAuthUrl } from '../e2e/support/browser';
import { prosodyAccepts } from '../support/prosody-verifier';
import { docker, repoRoot, run, sleep, waitHealthy } from './docker-cli';
import { tierFacts, tierImages } from './images';
import { cliArgs, prosodyFor, stackHooks, startWiredStack, type WiredStack } from './wired-stack';
import { clientJwtFromUrl, clientTokenOf } from '../support/jitsi-client';

/** nginx keeps a DNS answer up to 1 s (resolver valid=1s), Apache up to 1 s (addressttl=1): wait them out. */
const DNS_SETTLE_MS = 2500;

describe('docker: two SP and two sidecar replicas with sessions in memcached (saml2jwt-ha.yml)', function () {
  this.timeout(40 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;
  let sps: string[] = [];
  let sidecars: string[] = [];

  before(async () => {
    // One user sends the load test's 3000 logins: off with the per-user front rate limit.
    stack = await startWiredStack({ name: 'saml2jwt-ha', setupFlags: ['--ha'], overlays: ['saml2jwt-ha.yml'], env: { FRONT_RATE_LIMIT: '0' } });
    sps = await stack.project.containersOf('saml-sp');
    sidecars = await stack.project.containersOf('saml2jwt');
    browser = await launchBrowser();
  });

  stackHooks(() => ({ stack, browser }));

  const curlArgs = (): string[] => ['--resolve', `meet.example.test:${stack.webPort}:127.0.0.1`];
  const landedToken = async (page: Page, room: string, timeout = 60_000): Promise<string> => {
    await page.waitForURL((url) => clientJwtFromUrl(url.href).jwt !== undefined, { timeout });
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).to.equal(`${stack.publicUrl}/${room}`);
    return clientTokenOf(landed.href);
  };
  const expectProsodyAccepts = (token: string, room: string): void => {
    const verdict = prosodyAccepts(token, { ...prosodyFor(stack.env), room: room.toLowerCase() });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
  };
  /** A browser login in a fresh context; returns the context (with its SP session) and the token. */
  const login = async (room: string, user = 'alice', timeout = 60_000): Promise<{ context: BrowserContext; token: string }> => {
    const context = await newContext(browser as Browser);
    try {
      const page = await context.newPage();
      await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, room, ''));
      await submitIdpLogin(page, user, `${user}-pass`);
      return { context, token: await landedToken(page, room, timeout) };
    } catch (err) {
      await context.close();
      throw err;
    }
  };

  it('runs two SP replicas, two sidecar replicas and one memcached, all healthy; memcached is unpublished and on a network with the SP replicas only', async () => {
    expect(sps).to.have.length(2);
    expect(sidecars).to.have.length(2);
    const [mc] = await stack.project.containersOf('memcached');
    expect(mc).to.be.a('string');
    const sessions = `${stack.project.name}_saml2jwt-sessions`;
    const networksOf = async (id: string): Promise<string[]> =>
      Object.keys(JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Networks}}', id])) as Record<string, unknown>).sort();
    expect(await networksOf(mc as string)).to.deep.equal([sessions]);
    for (const sp of sps) expect(await networksOf(sp)).to.include(sessions);
    for (const sidecar of sidecars) expect(await networksOf(sidecar)).not.to.include(sessions);
    const host = JSON.parse(await docker(['inspect', '--format', '{{json .HostConfig}}', mc as string])) as { PortBindings: Record<string, unknown> | null; Memory: number; CapDrop: string[] | null; ReadonlyRootfs: boolean };
    expect(host.PortBindings ?? {}).to.deep.equal({});
    expect(host.Memory).to.equal(128 * 1024 * 1024);
    expect(host.CapDrop).to.deep.equal(['ALL']);
    expect(host.ReadonlyRootfs).to.equal(true);
    // Its idle RSS, for the tier's report.
    const rss = /VmRSS:\s+(\d+) kB/.exec(await docker(['exec', mc as string, 'cat', '/proc/1/status']))?.[1];
    expect(rss).to.be.a('string');
    tierFacts.push(`memcached idle RSS: ${(Number(rss) / 1024).toFixed(1)} MB (image ${tierImages.memcached})`);
  });

  it('every SP replica holds the same SP certificate and uses memcached; doctor says so', async () => {
    // Read as the SP's service user: the key folder is its own, and root in the container has no capability to look in.
    const fingerprints = await Promise.all(sps.map((id) => docker(['exec', '-u', '_shibd', id, 'openssl', 'x509', '-noout', '-fingerprint', '-sha256', '-in', '/etc/shibboleth/keys/sp-cert.pem'])));
    expect(new Set(fingerprints).size).to.equal(1);
    const r = await run(process.execPath, [...cliArgs, 'doctor', stack.project.dir], { cwd: repoRoot, timeoutMs: 180_000 });
    const out = r.stdout + r.stderr;
    expect(out).to.match(/^ok\s+2 SP replicas share one session store: memcache memcached:11211$/m);
    expect(out).to.match(/^ok\s+2 SP replicas speak as one SP: https:\/\/meet\.example\.test:\d+\/saml2jwt\/shibboleth$/m);
    expect(out).to.match(/^ok\s+2 SP replicas hold the same SP certificate \(SHA-256 [0-9A-F:]{95}\)$/m);
  });

  it('login across replicas: the AuthnRequest from SP replica 1, the IdP\'s POST forced to replica 2; the token passes Prosody\'s checks', async () => {
    const [sp1, sp2] = sps as [string, string];
    await docker(['stop', '-t', '5', sp2]);
    await sleep(DNS_SETTLE_MS);
    const context = await newContext(browser as Browser);
    try {
      const page = await context.newPage();
      await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'Across', ''));
      expect(new URL(page.url()).hostname).to.equal('idp.example.test'); // replica 1 sent the AuthnRequest
      await docker(['start', sp2]);
      await waitHealthy([sp2], 120_000);
      await docker(['stop', '-t', '5', sp1]);
      await sleep(DNS_SETTLE_MS);
      const submittedAt = new Date(Date.now() - 1000).toISOString();
      await submitIdpLogin(page, 'alice', 'alice-pass'); // only replica 2 can take the POST
      const token = await landedToken(page, 'Across');
      expectProsodyAccepts(token, 'Across');
      // Apache's access log (stdout): the ACS POST was answered by replica 2.
      const acs = (await docker(['logs', '--since', submittedAt, sp2])).split('\n').filter((l) => l.includes('"POST /saml2jwt/Shibboleth.sso/SAML2/POST'));
      expect(acs.length, 'replica 2 received the IdP\'s POST').to.be.above(0);
    } finally {
      await context.close();
      await docker(['start', sp1]);
      await waitHealthy([sp1, sp2], 120_000);
      await sleep(DNS_SETTLE_MS);
    }
  });

  it('SIGKILL to one SP replica during 20 sequential browser logins: each completes (at most one reload), no established session is lost', async () => {
    const before = await login('Before');
    const results: string[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        if (i === 10) await docker(['kill', '-s', 'KILL', sps[0] as string]);
        const room = `Login${i}`;
        const context = await newContext(browser as Browser);
        const page = await context.newPage();
        const fivexx: string[] = [];
        page.on('response', (r) => {
          if (r.status() >= 500 && new URL(r.url()).pathname.startsWith('/saml2jwt/')) fivexx.push(`${r.status()} ${new URL(r.url()).pathname}`);
        });
        let outcome = 'ok';
        try {
          await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, room, ''));
          await submitIdpLogin(page, 'alice', 'alice-pass');
          await landedToken(page, room);
        } catch (first) {
          // The user reloads once: the whole login again from Jitsi's link.
          outcome = 'retried';
          const firstProblem = `${(first as Error).message.split('\n')[0]} at ${page.url()}`;
          try {
            await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, room, ''));
            await page.waitForLoadState('load');
            if (new URL(page.url()).hostname === 'idp.example.test' && (await page.locator('#username').count()) > 0) await submitIdpLogin(page, 'alice', 'alice-pass');
            await landedToken(page, room);
          } catch (second) {
            throw new Error(`login ${i} failed twice: ${firstProblem}; then ${(second as Error).message.split('\n')[0]} at ${page.url()}: ${(await page.content()).slice(0, 300)}; 5xx seen: ${fivexx.join(', ')}`);
          }
        }
        if (outcome === 'ok') expect(fivexx, `login ${i}: a 5xx without a reload`).to.deep.equal([]);
        results.push(outcome);
        await context.close();
      }
      process.stdout.write(`      (20 logins: ${results.filter((r) => r === 'ok').length} straight through, ${results.filter((r) => r === 'retried').length} after one reload)\n`);
      expect(results.filter((r) => r === 'retried').length).to.be.at.most(2);
      // The session from before the kill: a token again without the IdP's form.
      const page = await before.context.newPage();
      await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'AfterKill', ''));
      const token = await landedToken(page, 'AfterKill');
      expectProsodyAccepts(token, 'AfterKill');
    } finally {
      await before.context.close();
      await docker(['start', sps[0] as string]);
      await waitHealthy(sps, 120_000);
      await sleep(DNS_SETTLE_MS);
    }
  });

  it('rolling restart of every sidecar replica, one at a time, under 100 logins/s for 30 s through the SP: zero failed requests', async () => {
    const { context } = await login('Load');
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    await context.close();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false });
    const statuses = new Map<string, number>();
    const count = (key: string): void => void statuses.set(key, (statuses.get(key) ?? 0) + 1);
    const one = (n: number): Promise<void> =>
      new Promise((resolve) => {
        const req = https.request(
          { host: '127.0.0.1', port: stack.webPort, path: `/saml2jwt/redirectWithToken?room=load${n % 50}`, agent, servername: 'meet.example.test', headers: { host: `meet.example.test:${stack.webPort}`, cookie }, timeout: 15_000 },
          (res) => {
            res.resume();
            res.on('end', () => {
              const location = String(res.headers.location ?? '');
              count(res.statusCode === 302 && location.includes('jwt=') ? 'token' : `${res.statusCode} ${location.slice(0, 60)}`);
              resolve();
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
          count(`error ${e.message}`);
          resolve();
        });
        req.end();
      });
    // 100 requests a second for 30 s, paced by the clock (bounded: 3000 requests, loopback only).
    const started = Date.now();
    const pending: Promise<void>[] = [];
    const load = (async () => {
      for (let n = 0; n < 3000; n++) {
        const due = started + n * 10;
        if (due > Date.now()) await sleep(due - Date.now());
        pending.push(one(n));
      }
      await Promise.all(pending);
    })();
    const restarts = (async () => {
      await sleep(3000);
      for (const id of sidecars) {
        await docker(['restart', '-t', '10', id]);
        await waitHealthy([id], 60_000);
        await sleep(DNS_SETTLE_MS);
      }
    })();
    await Promise.all([load, restarts]);
    agent.destroy();
    const summary = Object.fromEntries(statuses);
    process.stdout.write(`      (${JSON.stringify(summary)} in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    expect(summary).to.deep.equal({ token: 3000 });
  });

  it('memcached killed: the SP replicas turn unhealthy and say why, no token without a valid session; back on its own when memcached returns', async () => {
    const { context } = await login('BeforeMemcached');
    const [mc] = (await stack.project.containersOf('memcached')) as [string];
    await docker(['kill', '-s', 'KILL', mc]);
    try {
      for (const sp of sps) {
        const check = await run('docker', ['exec', sp, 'saml2jwt-healthcheck']);
        expect(check.code, sp).to.equal(1);
        expect(check.stderr).to.include('unhealthy: memcached memcached:11211 does not answer');
      }
      // Docker's own verdict (interval 10 s, 3 retries) and the reason in the container's log.
      let health = '';
      for (let i = 0; i < 60 && health !== 'unhealthy'; i++) {
        health = (await docker(['inspect', '--format', '{{.State.Health.Status}}', sps[0] as string])).trim();
        if (health !== 'unhealthy') await sleep(1000);
      }
      expect(health).to.equal('unhealthy');
      expect((await run('docker', ['logs', sps[0] as string])).stderr).to.include('saml2jwt-healthcheck: unhealthy: memcached memcached:11211 does not answer');

      // No token: neither for the browser whose session was in memcached, nor for a new one.
      for (const ctx of [context, await newContext(browser as Browser)]) {
        const page = await ctx.newPage();
        const seen: string[] = [];
        page.on('framenavigated', (f) => void (f === page.mainFrame() && seen.push(f.url())));
        await page.goto(tokenAuthUrl(stack.publicUrl, 'NoMemcached', ''), { timeout: 30_000 }).catch(() => undefined);
        await page.waitForLoadState('load').catch(() => undefined);
        if ((await page.locator('#username').count().catch(() => 0)) > 0) {
          await submitIdpLogin(page, 'alice', 'alice-pass');
          await page.waitForLoadState('load').catch(() => undefined);
          await sleep(2000);
        }
        expect(seen.filter((u) => u.includes('jwt=')), 'no navigation carries a token').to.deep.equal([]);
        if (ctx !== context) await ctx.close();
      }
    } finally {
      await docker(['start', mc]);
    }
    // No manual step: the SP replicas find memcached again and turn healthy, and shibd retries
    // the server it had given up on within its retryTimeout (5 s): a login works again.
    await waitHealthy([mc, ...sps], 120_000);
    const backAt = Date.now();
    let again: Awaited<ReturnType<typeof login>> | undefined;
    // A user's retry, not an operator's step: the first request an SP process sends over its
    // connection from before the restart can fail once (libmemcached: "server has disconnected")
    // and get the SP's error page; the next login goes through.
    while (again === undefined) {
      try {
        again = await login('AfterMemcached', 'bob', 20_000);
      } catch (err) {
        if (Date.now() - backAt > 90_000) throw err;
        await sleep(2000);
      }
    }
    process.stdout.write(`      (a login works again ${((Date.now() - backAt) / 1000).toFixed(1)} s after the SP replicas are healthy)\n`);
    expectProsodyAccepts(again.token, 'AfterMemcached');
    await again.context.close();
    await context.close();
  });
});
