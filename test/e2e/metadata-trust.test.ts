// Which IdPs the SP trusts, live (issue 15, items 1, 2 and 5): shibd fetches metadata only over
// verified TLS, keeps only the configured IdP of the metadata in direct mode, and never reads back
// another URL's cached metadata. Each case is asserted in shibd itself (its log, its DiscoFeed of
// the IdPs it knows, its metadata cache) and by a login that gets no token.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tokenAuthUrl } from './support/browser';
import { startHttpsMetadataServer, type HttpsMetadataServer } from './support/https-metadata-server';
import { httpGet } from './support/http-request';
import { startIdp, type RunningIdp } from './support/idp';
import { attemptLogin, expectLogin as expectLoginOf, expectNoToken as expectNoTokenOf, issuedTokens as issuedTokensOf, type Attempt } from './support/login-attempt';
import { freePort } from './support/ports';
import { waitFor } from './support/processes';
import { ensureSidecarBuilt } from './support/sidecar';
import { ensureDir, spLayout } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { makeCa, serverCertificate, type Ca } from './support/tls-ca';

const APP_ID = 'saml2jwt-e2e';

describe('e2e: which IdPs the SP trusts (TLS-verified metadata, one IdP in direct mode, no stale test IdP)', function () {
  this.timeout(90000);
  let stack: Stack;
  let work: string;
  let metadataCa: Ca;
  const servers: HttpsMetadataServer[] = [];

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: APP_ID, appSecret: randomBytes(32).toString('hex'), xmppDomain: 'meet.jitsi' } });
    work = ensureDir(join(stack.dir, 'metadata-servers'));
    metadataCa = makeCa(work, 'metadata');
  });

  after(async function () {
    this.timeout(30000);
    for (const s of servers) await s.close();
    if (stack) await stack.stop();
  });

  /** The test IdP's own metadata document (an EntityDescriptor). */
  const idpMetadata = async (idp: RunningIdp): Promise<string> => {
    const res = await httpGet(idp.metadataUrl);
    expect(res.status).to.equal(200);
    return res.body.replace(/^<\?xml[^>]*>\s*/, '');
  };

  const serve = async (names: string[], ca: Ca | undefined, body: () => string): Promise<HttpsMetadataServer> => {
    const server = await startHttpsMetadataServer(serverCertificate(work, `md-${servers.length}`, names, ca), body);
    servers.push(server);
    return server;
  };

  const cacheDir = (): string => spLayout(join(stack.dir, 'sp')).shibCacheDir;
  const cachedFiles = (): string[] => (existsSync(cacheDir()) ? readdirSync(cacheDir()).filter((f) => f.endsWith('.xml')) : []);
  /** Empties the metadata cache: the backing files and their ".tag" (ETag) companions. */
  const clearCache = (): void => {
    for (const f of existsSync(cacheDir()) ? readdirSync(cacheDir()) : []) rmSync(join(cacheDir(), f));
  };

  /** Restarts the SP with `env`; returns what shibd logs from this start on. */
  const restartSp = async (env: Record<string, string | undefined>): Promise<() => string> => {
    const before = stack.group.log('shibd').length;
    await stack.restartSp(env);
    return () => stack.group.log('shibd').slice(before);
  };

  /** The entityIDs of the IdPs shibd has loaded, from its own DiscoFeed handler. */
  const knownIdps = async (): Promise<string[]> => {
    // With an If-None-Match that matches no feed, the handler answers 304 (no body) only when it
    // has no feed at all: no metadata is loaded.
    const res = await httpGet(`http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/DiscoFeed`, { 'if-none-match': '"saml2jwt-e2e"' });
    if (res.status === 304) return [];
    expect(res.status, res.body).to.equal(200);
    return (JSON.parse(res.body) as Array<{ entityID: string }>).map((e) => e.entityID);
  };

  const issuedTokens = (): number => issuedTokensOf(stack);
  const attempt = (url: string): Promise<Attempt> => attemptLogin(stack, url);
  const expectNoToken = (a: Attempt, issuedBefore: number): void => expectNoTokenOf(stack, a, issuedBefore);
  /** The login through TOKEN_AUTH_URL at the configured IdP lands in the meeting with a token. */
  const expectLogin = async (): Promise<void> => void (await expectLoginOf(stack, 'trustroom'));

  describe('item 1: metadata only over verified TLS', function () {
    let trusted: HttpsMetadataServer;
    let untrusted: HttpsMetadataServer;
    let wrongHost: HttpsMetadataServer;

    before(async function () {
      const body = await idpMetadata(stack.idp);
      trusted = await serve(['IP:127.0.0.1', 'DNS:localhost'], metadataCa, () => body);
      untrusted = await serve(['IP:127.0.0.1', 'DNS:localhost'], undefined, () => body);
      wrongHost = await serve(['DNS:metadata.elsewhere.example.test'], metadataCa, () => body);
    });

    /** The SP on `server`'s URL trusting only our metadata CA: shibd must refuse the fetch. */
    async function expectRefused(server: HttpsMetadataServer, logPattern: RegExp): Promise<void> {
      clearCache();
      const log = await restartSp({ METADATA_URL: server.url, METADATA_TLS_CA: metadataCa.certFile });
      // shibd: the fetch failed on the certificate, nothing was cached, and it knows no IdP.
      await waitFor('shibd to report the failed fetch', () => /error while fetching|error while loading resource/i.test(log()));
      expect(log(), log()).to.match(logPattern);
      expect(server.requests, 'requests that got past TLS').to.equal(0);
      expect(cachedFiles()).to.deep.equal([]);
      expect(await knownIdps()).to.deep.equal([]);
      // The login stops at the SP: it does not know the IdP, so no token.
      const issued = issuedTokens();
      const a = await attempt(tokenAuthUrl(stack.publicUrl, 'trustroom', ''));
      expect(a.loggedInAt, 'login forms filled in').to.deep.equal([]);
      expect(a.text).to.match(/Unknown or Unusable Identity Provider|Unable to locate metadata/i);
      expectNoToken(a, issued);
    }

    it('a metadata server whose certificate no trusted CA issued is refused', async function () {
      await expectRefused(untrusted, /SSL certificate problem|certificate verify failed/i);
    });

    it('a metadata server whose certificate (from the trusted CA) names another host is refused', async function () {
      await expectRefused(wrongHost, /SSL: no alternative certificate subject name matches|does not match|subject name/i);
    });

    it('the trusted metadata server loads: shibd knows the IdP, caches it, and the login gets a token', async function () {
      clearCache();
      const log = await restartSp({ METADATA_URL: trusted.url, METADATA_TLS_CA: metadataCa.certFile });
      await waitFor('shibd to know the IdP', async () => (await knownIdps()).includes(stack.idp.entityId));
      expect(log()).not.to.match(/error while fetching|SSL certificate problem/i);
      expect(trusted.requests).to.be.greaterThan(0);
      expect(cachedFiles()).to.have.length(1);
      await expectLogin();
    });

    it('without METADATA_TLS_CA the system CA bundle decides: the test IdP\'s own CA is not trusted', async function () {
      clearCache();
      const log = await restartSp({ METADATA_URL: stack.idp.metadataUrl, METADATA_TLS_CA: undefined });
      await waitFor('shibd to report the failed fetch', () => /error while fetching|error while loading resource/i.test(log()));
      expect(log()).to.match(/SSL certificate problem|certificate verify failed/i);
      expect(await knownIdps()).to.deep.equal([]);
      const issued = issuedTokens();
      const a = await attempt(tokenAuthUrl(stack.publicUrl, 'trustroom', ''));
      expect(a.loggedInAt).to.deep.equal([]);
      expectNoToken(a, issued);
    });
  });

  describe('item 2: in direct mode only the configured IdP of an aggregate may log in', function () {
    let second: RunningIdp;

    before(async function () {
      this.timeout(120000);
      const port = await freePort();
      second = await startIdp(stack.group, {
        stateDir: join(stack.dir, 'idp2'),
        port,
        baseUrl: `https://idp2.example.test:${port}`,
        secretSalt: randomBytes(12).toString('hex'),
        spMetadataUrl: `http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/Metadata`,
        name: 'test-idp-2',
      });
      const [one, two] = [await idpMetadata(stack.idp), await idpMetadata(second)];
      const aggregate = await serve(['IP:127.0.0.1'], metadataCa, () =>
        `<?xml version="1.0"?>\n<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" Name="urn:example:aggregate">\n${one}\n${two}\n</md:EntitiesDescriptor>\n`,
      );
      clearCache();
      await restartSp({ METADATA_URL: aggregate.url, METADATA_TLS_CA: metadataCa.certFile });
      await waitFor('shibd to load the aggregate', async () => (await knownIdps()).length > 0);
    });

    it('shibd keeps only SSO_URL\'s entity of the aggregate', async function () {
      expect(await knownIdps()).to.deep.equal([stack.idp.entityId]);
    });

    it('Login?entityID=<the other IdP> gets no token', async function () {
      const issued = issuedTokens();
      const target = tokenAuthUrl(stack.publicUrl, 'otheridp', '');
      const a = await attempt(`${stack.publicUrl}/saml2jwt/Shibboleth.sso/Login?entityID=${encodeURIComponent(second.entityId)}&target=${encodeURIComponent(target)}`);
      expect(a.loggedInAt, 'login forms filled in').to.deep.equal([]);
      expectNoToken(a, issued);
    });

    it('an unsolicited response from the other IdP gets no token', async function () {
      const issued = issuedTokens();
      const target = tokenAuthUrl(stack.publicUrl, 'otheridp', '');
      const idpInitiated = `${new URL(second.entityId).origin}/simplesaml/saml2/idp/SSOService.php?spentityid=${encodeURIComponent(stack.sp.entityId)}&RelayState=${encodeURIComponent(target)}`;
      const a = await attempt(idpInitiated);
      expect(a.loggedInAt, 'the other IdP did log alice in').to.have.length(1);
      expectNoToken(a, issued);
    });

    it('the configured IdP still logs in', async function () {
      await expectLogin();
    });
  });

  describe('item 5: after switching from the test IdP to a real IdP, the test IdP is not trusted', function () {
    let unreachable: string;

    before(async function () {
      this.timeout(120000);
      // As set up for --test-idp: the test IdP's metadata, fetched and cached.
      await restartSp({ METADATA_URL: stack.idp.metadataUrl, METADATA_TLS_CA: stack.idp.tlsCa });
      await waitFor('shibd to know the test IdP', async () => (await knownIdps()).includes(stack.idp.entityId));
      expect(cachedFiles().length).to.be.greaterThan(0);
      // Then the real IdP, whose metadata URL cannot be reached right now.
      unreachable = `https://127.0.0.1:${await freePort()}/idp/shibboleth-metadata.xml`;
      await restartSp({ METADATA_URL: unreachable, SSO_URL: 'https://idp.real.example.test/idp/shibboleth', METADATA_TLS_CA: undefined });
    });

    it('shibd does not read the test IdP\'s cached metadata back: it knows no IdP', async function () {
      await waitFor('shibd to try the real IdP', () => /error while fetching|error while loading resource/i.test(stack.group.log('shibd')));
      // The test IdP's cache file is still there, under a name of its own, and is not loaded.
      const testIdpPort = new URL(stack.idp.metadataUrl).port;
      expect(cachedFiles().filter((f) => f.startsWith(`metadata-127.0.0.1_${testIdpPort}-`))).to.have.length(1);
      expect(await knownIdps()).to.deep.equal([]);
    });

    it('a login through the test IdP (Login?entityID=) gets no token', async function () {
      const issued = issuedTokens();
      const target = tokenAuthUrl(stack.publicUrl, 'afterswitch', '');
      const a = await attempt(`${stack.publicUrl}/saml2jwt/Shibboleth.sso/Login?entityID=${encodeURIComponent(stack.idp.entityId)}&target=${encodeURIComponent(target)}`);
      expect(a.loggedInAt).to.deep.equal([]);
      expectNoToken(a, issued);
    });

    it('an unsolicited response from the test IdP gets no token', async function () {
      const issued = issuedTokens();
      const target = tokenAuthUrl(stack.publicUrl, 'afterswitch', '');
      const a = await attempt(`${new URL(stack.idp.entityId).origin}/simplesaml/saml2/idp/SSOService.php?spentityid=${encodeURIComponent(stack.sp.entityId)}&RelayState=${encodeURIComponent(target)}`);
      expect(a.loggedInAt).to.have.length(1);
      expectNoToken(a, issued);
    });

    it('TOKEN_AUTH_URL gets no token either (the real IdP is unknown until its metadata loads)', async function () {
      const issued = issuedTokens();
      const a = await attempt(tokenAuthUrl(stack.publicUrl, 'afterswitch', ''));
      expect(a.loggedInAt).to.deep.equal([]);
      expectNoToken(a, issued);
    });
  });
});
