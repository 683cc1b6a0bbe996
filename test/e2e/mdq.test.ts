// Issue 20 §3, live: SHIBBOLETH_TEMPLATE_XML=mdq. The SP learns each IdP's metadata only when a user
// picks it at the discovery service, from a small MDQ service serving per-entity signed metadata
// (signed with xmlsec1 by the federation's old or new key, both named in METADATA_SIGNING_CERT).
// The real test IdP, SP, sidecar and Chromium: a login through the MDQ service gets a token;
// tampered, expired, over-long, unsigned or foreign-signed answers get none; with the service
// down an IdP already cached still logs in (also after a restart) and an unknown one gets a
// clear page; a static source comes first.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenAuthUrl } from './support/browser';
import { startDiscoveryService, type DiscoveryService } from './support/discovery-service';
import { asMdqAnswer, makeSigner, samlTime, signMetadata, type FederationSigner } from './support/federation-signer';
import { httpGet } from './support/http-request';
import { attemptLogin, expectLogin, expectNoToken, issuedTokens } from './support/login-attempt';
import { startMdqResponder, type MdqResponder } from './support/mdq-responder';
import { waitFor } from './support/processes';
import { ensureSidecarBuilt } from './support/sidecar';
import { ensureDir } from './support/sp';
import { startStack, type Stack } from './support/stack';

const DAY = 86400e3;
const UNKNOWN_IDP = 'https://idp.unknown.example.test/idp/shibboleth';

describe('e2e: MDQ, one IdP at a time from the federation\'s signed MDQ service (SHIBBOLETH_TEMPLATE_XML=mdq)', function () {
  this.timeout(90000);
  let stack: Stack;
  let mdq: MdqResponder;
  let ds: DiscoveryService;
  let oldSigner: FederationSigner;
  let newSigner: FederationSigner;
  let foreignSigner: FederationSigner;
  /** METADATA_SIGNING_CERT: a folder with the federation's old and new certificates. */
  let signers: string;
  /** The test IdP's own metadata (an EntityDescriptor, unsigned, as SimpleSAMLphp serves it). */
  let idpEntity: string;
  let idp: string;

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: 'saml2jwt-e2e', appSecret: randomBytes(32).toString('hex'), xmppDomain: 'meet.jitsi' } });
    idp = stack.idp.entityId;
    const work = ensureDir(join(stack.dir, 'federation'));
    [oldSigner, newSigner, foreignSigner] = ['federation-2026', 'federation-2027', 'elsewhere'].map((name) => makeSigner(work, name)) as [FederationSigner, FederationSigner, FederationSigner];
    signers = ensureDir(join(work, 'signers'));
    copyFileSync(oldSigner.certFile, join(signers, 'federation-2026.pem'));
    copyFileSync(newSigner.certFile, join(signers, 'federation-2027.pem'));
    const res = await httpGet(stack.idp.metadataUrl);
    expect(res.status).to.equal(200);
    idpEntity = res.body;
    mdq = await startMdqResponder();
    ds = await startDiscoveryService();
    ds.choose(idp);
  });

  after(async function () {
    this.timeout(30000);
    if (mdq) await mdq.close();
    if (ds) await ds.close();
    if (stack) await stack.stop();
  });

  /** The test IdP's metadata as an MDQ answer, signed by `signer` (validUntil in two weeks unless given). */
  const answer = (signer: FederationSigner, options: { validUntil?: Date; keyInfo?: boolean } = {}): string =>
    signMetadata(asMdqAnswer(idpEntity, { id: '_mdq-answer', validUntil: options.validUntil ?? new Date(Date.now() + 14 * DAY) }), signer, { keyInfo: options.keyInfo });

  /** The SP's MDQ cache folders (named after MDQ_URL) in the metadata cache volume. */
  const cacheFolders = (): string[] => {
    const dir = stack.spLayout.shibCacheDir;
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith('mdq-')).map((f) => join(dir, f)) : [];
  };
  const cachedAnswers = (): string[] => cacheFolders().flatMap((dir) => readdirSync(dir));
  const cacheFileOf = (entityId: string): string => `${createHash('sha1').update(entityId).digest('hex')}.xml`;

  const mdqEnv = (): Record<string, string | undefined> => ({
    SHIBBOLETH_TEMPLATE_XML: 'mdq',
    MDQ_URL: mdq.baseUrl,
    METADATA_SIGNING_CERT: signers,
    SSO_URL: ds.url,
    METADATA_URL: undefined,
    METADATA_TLS_CA: undefined,
    METADATA_FILE: undefined,
  });

  /** Restarts the SP in mdq mode (`env` on top), its MDQ cache emptied unless kept; returns its log from then on. */
  const restartSp = async (env: Record<string, string | undefined> = {}, keepCache = false): Promise<() => string> => {
    if (!keepCache) for (const dir of cacheFolders()) rmSync(dir, { recursive: true, force: true });
    const before = stack.group.log('shibd').length;
    await stack.restartSp({ ...mdqEnv(), ...env });
    return () => stack.group.log('shibd').slice(before);
  };

  describe('answers the SP refuses: no IdP login, no token, nothing cached', function () {
    const refusals: Array<[string, () => string, RegExp]> = [
      ['tampered with after signing (its validUntil moved a day on)', () => {
        const signed = answer(newSigner);
        const validUntil = /validUntil="([^"]+)"/.exec(signed)?.[1] as string;
        return signed.replace(`validUntil="${validUntil}"`, `validUntil="${samlTime(new Date(Date.parse(validUntil) + DAY))}"`);
      }, /filtering out entity at root of instance after failed signature check: Unable to verify signature/],
      ['signed by a key the federation does not use', () => answer(foreignSigner), /failed signature check: CredentialResolver did not supply any candidate keys/],
      ['unsigned', () => asMdqAnswer(idpEntity, { id: '_mdq-answer', validUntil: new Date(Date.now() + 14 * DAY) }), /failed signature check: Root metadata element was unsigned/],
      ['expired (validUntil yesterday), though properly signed', () => answer(newSigner, { validUntil: new Date(Date.now() - DAY) }), /Metadata was already invalid at the time of retrieval/],
      ['valid for longer than 28 days, though properly signed', () => answer(newSigner, { validUntil: new Date(Date.now() + 60 * DAY) }), /validity interval is larger than permitted/i],
    ];
    for (const [what, document, reason] of refusals) {
      it(`an answer ${what}`, async function () {
        mdq.serve(idp, document());
        const log = await restartSp();
        const [asked, visits] = [mdq.asked(idp).length, ds.visits];
        const issued = issuedTokens(stack);
        const a = await attemptLogin(stack, tokenAuthUrl(stack.publicUrl, 'mdqroom', ''));
        // The SP sent the browser to the discovery service, then asked the MDQ service for the IdP chosen there.
        expect(ds.visits).to.equal(visits + 1);
        expect(mdq.asked(idp).slice(asked).map((r) => r.accept)).to.include('application/samlmetadata+xml');
        // shibd's log reaches its file in blocks (stdout is not a terminal): wait for the reason.
        await waitFor(`shibd to log ${reason}`, () => reason.test(log()));
        expect(log()).to.include(`error while resolving (${idp})`);
        expect(a.loggedInAt, 'IdP login forms filled in').to.deep.equal([]);
        expect(a.text).to.match(/Unknown or Unusable Identity Provider/);
        expectNoToken(stack, a, issued);
        expect(cachedAnswers()).to.deep.equal([]);
      });
    }
  });

  describe('a signed answer: the login through the discovery service and the MDQ service gets a token', function () {
    it('signed by the federation\'s old certificate', async function () {
      mdq.serve(idp, answer(oldSigner));
      await restartSp();
      const [asked, visits] = [mdq.asked(idp).length, ds.visits];
      await expectLogin(stack, 'mdqroom');
      expect(ds.visits).to.equal(visits + 1);
      expect(mdq.asked(idp)).to.have.length(asked + 1);
      expect(cachedAnswers()).to.deep.equal([cacheFileOf(idp)]);
    });

    it('signed by its new certificate (the federation changed keys; both are in METADATA_SIGNING_CERT), without KeyInfo', async function () {
      mdq.serve(idp, answer(newSigner, { keyInfo: false }));
      await restartSp();
      await expectLogin(stack, 'mdqroom');
      expect(cachedAnswers()).to.deep.equal([cacheFileOf(idp)]);
    });

    it('a second login uses the cached answer: the MDQ service is not asked again', async function () {
      const asked = mdq.asked(idp).length;
      await expectLogin(stack, 'mdqroom2');
      expect(mdq.asked(idp)).to.have.length(asked);
    });
  });

  describe('the MDQ service is down', function () {
    before(async function () {
      // The IdP has been used once: its answer is in the SP's memory and cache volume.
      mdq.serve(idp, answer(newSigner));
      await restartSp();
      await expectLogin(stack, 'mdqroom');
      expect(cachedAnswers()).to.deep.equal([cacheFileOf(idp)]);
      await mdq.stop();
    });

    after(async function () {
      await mdq.resume();
    });

    it('the IdP already cached still logs in', async function () {
      await expectLogin(stack, 'mdqdown');
    });

    it('after a restart too: the SP reads the answer back from the cache volume (and checks it again)', async function () {
      const log = await restartSp({}, true);
      await waitFor('shibd to read its MDQ cache', () => log().includes(`reload metadata from ${cacheFolders()[0]}/${cacheFileOf(idp)}`)).catch((err) => {
        throw new Error(`${String(err)}\n${log()}`);
      });
      await expectLogin(stack, 'mdqdown');
      expect(log()).not.to.match(/error while reloading from cache/i);
    });

    it('an IdP never used before fails with a clear page naming it, and no token', async function () {
      ds.choose(UNKNOWN_IDP);
      try {
        const before = stack.group.log('shibd').length;
        const issued = issuedTokens(stack);
        const a = await attemptLogin(stack, tokenAuthUrl(stack.publicUrl, 'mdqdown', ''));
        expect(a.loggedInAt).to.deep.equal([]);
        // Shibboleth's own error page (metadataError.html), with its error status.
        expect(a.finalStatus).to.be.at.least(400);
        expect(a.text).to.match(/<h1>Unknown or Unusable Identity Provider<\/h1>/);
        expect(a.text).to.include(UNKNOWN_IDP);
        expect(a.text).not.to.match(/stack trace|Traceback|Internal Server Error/i);
        expectNoToken(stack, a, issued);
        const reason = new RegExp(`error while resolving \\(${UNKNOWN_IDP.replace(/[.]/g, '\\.')}\\): .*(Couldn't connect|Failed to connect)`);
        await waitFor('shibd to log why', () => reason.test(stack.group.log('shibd').slice(before)));
      } finally {
        ds.choose(idp);
      }
    });

    it('a cached answer changed on disk is refused when read back at start (and removed): the IdP cannot log in', async function () {
      const [folder] = cacheFolders();
      const file = join(folder as string, cacheFileOf(idp));
      const cached = readFileSync(file, 'utf8');
      const validUntil = /validUntil="([^"]+)"/.exec(cached)?.[1] as string;
      writeFileSync(file, cached.replace(`validUntil="${validUntil}"`, `validUntil="${samlTime(new Date(Date.parse(validUntil) + DAY))}"`));
      const log = await restartSp({}, true);
      await waitFor('shibd to refuse the cached answer', () => /error while reloading from cache/i.test(log()));
      expect(log()).to.match(/failed signature check/);
      const issued = issuedTokens(stack);
      const a = await attemptLogin(stack, tokenAuthUrl(stack.publicUrl, 'mdqdown', ''));
      expect(a.loggedInAt).to.deep.equal([]);
      expect(a.text).to.match(/Unknown or Unusable Identity Provider/);
      expectNoToken(stack, a, issued);
      expect(existsSync(file), 'the tampered cache file is removed').to.equal(false);
    });
  });

  describe('a static source before the MDQ service (IdPs the service does not serve)', function () {
    it('an IdP in METADATA_FILE logs in without the MDQ service being asked', async function () {
      mdq.forget(idp);
      const file = join(stack.spLayout.keyDir, 'local-idps.xml');
      mkdirSync(stack.spLayout.keyDir, { recursive: true });
      writeFileSync(file, idpEntity);
      await restartSp({ METADATA_FILE: file });
      const asked = mdq.asked(idp).length;
      await expectLogin(stack, 'mdqlocal');
      expect(mdq.asked(idp)).to.have.length(asked);
      expect(cachedAnswers()).to.deep.equal([]);
    });
  });
});
