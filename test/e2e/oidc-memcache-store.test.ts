// OpenID Connect sessions in memcached (SP_SESSION_STORE=memcache; SP_LOGIN=oidc, and both, where
// shibd shares the memcached), live: Chromium, Apache + mod_auth_openidc, the test provider, a real
// memcached and the sidecar. mod_auth_openidc
// keeps its sessions in Apache's shared memory unless told otherwise: gone with a restart, unseen
// by another SP replica. Here an SP restart (what another replica sees) keeps the session, the
// entries in memcached are encrypted, and with memcached gone the SP is unhealthy and no token is
// issued; it recovers on its own.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { clientJwtFromUrl } from '../support/jitsi-client';
import { gotoPastHostNetworkChanges, newContext, tokenAuthUrl } from './support/browser';
import { JWT_PATTERN } from './support/login-attempt';
import { memcached, memcachedKeys, startMemcached } from './support/memcached';
import { freePort } from './support/ports';
import { delay, waitFor } from './support/processes';
import { sidecarLog } from './support/sidecar-audit';
import { ensureSidecarBuilt } from './support/sidecar';
import { healthLogFile, runHealthcheck } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { acceptedUser, prosodyCheck } from './support/verify-token';

const APP_ID = 'saml2jwt-e2e-oidc-memcache';
const APP_SECRET = randomBytes(32).toString('hex');
const XMPP_DOMAIN = 'meet.jitsi';

for (const spLogin of ['oidc', 'both'] as const) {
  describe(`e2e: OpenID Connect sessions in memcached (SP_LOGIN=${spLogin}, SP_SESSION_STORE=memcache)`, function () {
    this.timeout(90000);
    let stack: Stack;
    let mcPort: number;
    let publicOrigin: string;
    let signedIn: BrowserContext;
    const verify = prosodyCheck(APP_ID, APP_SECRET, XMPP_DOMAIN);
    /** restartSp renders over the start-time environment: name the store every time. */
    const memcacheEnv = (): Record<string, string> => ({ SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: `127.0.0.1:${mcPort}` });
    const healthcheck = () => runHealthcheck(stack.spLayout, stack.sp.port, { SP_LOGIN: spLogin, ...memcacheEnv() });
    /** TOKEN_AUTH_URL, or with both logins where its choice page's OpenID Connect link leads. */
    const oidcLoginUrl = (room: string): string => {
      const url = tokenAuthUrl(stack.publicUrl, room, '');
      return spLogin === 'both' ? url.replace('/saml2jwt/redirectWithToken?', '/saml2jwt/oidc/redirectWithToken?') : url;
    };
    const issued = (): number => sidecarLog(stack.dir).filter((l) => l.event === 'token_issued').length;

    /** Opens TOKEN_AUTH_URL for `room`; resolves with the token it landed with and the provider's authorization requests on the way. */
    async function login(context: BrowserContext, room: string, timeout = 20000): Promise<{ token: string; authRequests: number }> {
      const before = stack.op!.authRequests;
      const page = await context.newPage();
      try {
        await gotoPastHostNetworkChanges(page, oidcLoginUrl(room));
        await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout });
        const { jwt } = clientJwtFromUrl(page.url());
        expect(jwt, page.url()).to.match(JWT_PATTERN);
        return { token: jwt as string, authRequests: stack.op!.authRequests - before };
      } finally {
        await page.close();
      }
    }

    const userOf = (token: string, room: string): Record<string, unknown> => acceptedUser(verify, token, room);

    before(async function () {
      this.timeout(240000);
      ensureSidecarBuilt();
      stack = await startStack({ backend: { appId: APP_ID, appSecret: APP_SECRET, xmppDomain: XMPP_DOMAIN }, spLogin });
      publicOrigin = new URL(stack.publicUrl).origin;
      mcPort = await freePort();
      await startMemcached(stack.group, mcPort);
      await stack.restartSp(memcacheEnv());
      signedIn = await newContext(stack.browser);
    });

    after(async function () {
      this.timeout(30000);
      if (signedIn) await signedIn.close().catch(() => undefined);
      if (stack) await stack.stop();
    });

    it('healthy; a login gets a token, and the session lives in memcached, encrypted', async () => {
      const check = await healthcheck();
      expect(check.code, check.stderr).to.equal(0);
      const first = await login(signedIn, 'First');
      expect(first.authRequests, 'authorization requests').to.equal(1);
      expect(userOf(first.token, 'first')).to.include({ id: `op-user-1@${stack.op!.issuer}` });

      // mod_auth_openidc's entries, not shibd's (their keys carry the deployment's prefix).
      const keys = (await memcachedKeys(mcPort)).filter((k) => !/^saml2jwt-[0-9a-f]{16}:/.test(k));
      expect(keys.length, "mod_auth_openidc's entries in memcached").to.be.greaterThan(0);
      // Whoever reads memcached learns nothing of the user: no claim in the clear (OIDCCacheEncrypt).
      for (const key of keys) {
        const value = await memcached(mcPort, `get ${key}`);
        expect(value, key).to.match(/^VALUE /);
        for (const secret of ['op-user-1', 'olive@staff.example.test', 'Olive Provider']) expect(value, key).not.to.include(secret);
      }
    });

    it('an SP restart keeps the session (as another replica would see it): a token again without asking the provider', async () => {
      await stack.restartSp(memcacheEnv()); // Apache's shared memory is gone
      const again = await login(signedIn, 'AfterRestart');
      expect(again.authRequests, 'authorization requests at the provider').to.equal(0);
      expect(userOf(again.token, 'afterrestart')).to.include({ id: `op-user-1@${stack.op!.issuer}` });
    });

    it('memcached killed: the health check fails, saying why (also without shibd); no browser gets a token', async () => {
      await delay(700); // the sidecar writes its audit lines every 500 ms
      const issuedBefore = issued();
      const pid = stack.group.pid('memcached') as number;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).to.include('memcached');
      process.kill(pid, 'SIGKILL');
      await stack.group.stop('memcached', 0);

      const check = await healthcheck();
      expect(check.code, check.stderr).to.equal(1);
      expect(check.stderr).to.include(`unhealthy: memcached 127.0.0.1:${mcPort} does not answer`);
      expect(readFileSync(healthLogFile(stack.spLayout), 'utf8')).to.include('memcached');

      for (const context of [signedIn, await newContext(stack.browser)]) {
        const page = await context.newPage();
        const navigations: string[] = [];
        page.on('framenavigated', (f) => {
          if (f === page.mainFrame()) navigations.push(f.url());
        });
        await page.goto(oidcLoginUrl('NoMemcached'), { timeout: 20000 }).catch(() => undefined);
        await page.waitForLoadState('load').catch(() => undefined);
        await delay(1000);
        expect(navigations.filter((u) => /[#&?]jwt=/.test(u)), 'navigations with a token').to.deep.equal([]);
        expect(await page.content()).not.to.match(JWT_PATTERN);
        if (context !== signedIn) await context.close();
        else await page.close();
      }
      await delay(700);
      expect(issued()).to.equal(issuedBefore);
    });

    it('memcached back: healthy again and logins work with no manual step (the old sessions are gone: the provider is asked again)', async () => {
      await startMemcached(stack.group, mcPort);
      await waitFor('the health check to pass again', async () => (await healthcheck()).code === 0, 60000);
      expect(readFileSync(healthLogFile(stack.spLayout), 'utf8').trim().split('\n').at(-1)).to.match(/healthy$/);
      // mod_auth_openidc takes a dead memcached back after a few seconds (apr_memcache's retry);
      // until then the redirect URI answers with its error page (500), never a token.
      let result: { token: string; authRequests: number } | undefined;
      await waitFor('a login after memcached is back', async () => {
        result = await login(signedIn, 'Recovered', 5000);
        return true;
      }, 45000, 1000);
      expect(result?.authRequests, 'authorization requests').to.equal(1);
      expect(userOf(result!.token, 'recovered')).to.include({ id: `op-user-1@${stack.op!.issuer}` });
    });
  });
}
