// Issue 20 §1: the SP serves the metadata written for the registrar (setup --sp-info puts it in
// the key folder) at /saml2jwt/Shibboleth.sso/Metadata, byte for byte, through the real Apache +
// mod_shib; and a real IdP (SimpleSAMLphp, which reads the SP from that URL) logs a user in with
// it: its ACS, SLO and certificate are the ones shibd uses.
import { expect } from 'chai';
import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpInfoYaml, readSpInfo } from '../../scripts/sp-metadata/sp-info';
import { spMetadataXml } from '../../scripts/sp-metadata/sp-metadata-document';
import { clientJwtFromUrl } from '../support/jitsi-client';
import { newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { httpGet } from './support/http-request';
import { ensureSidecarBuilt } from './support/sidecar';
import { startStack, type Stack } from './support/stack';

const EXAMPLE = resolve(__dirname, '../../compose-overlay/sp-info.example.yml');

describe('e2e: the SP serves the registrar-facing metadata, and an IdP logs in with it', function () {
  this.timeout(300_000);
  let stack: Stack;
  let document: string;
  let metadataUrl: string;

  before(async function () {
    this.timeout(240_000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: 'saml2jwt-e2e-md', appSecret: 'e2e-md-secret-0123456789abcdef0123456789', xmppDomain: 'meet.jitsi' } });
    // Asked of the SP itself, as Jitsi's nginx (and the test IdP) reach it.
    metadataUrl = `http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/Metadata`;
    const generated = await httpGet(metadataUrl);
    const entityId = /entityID="([^"]+)"/.exec(generated.body)?.[1] as string;
    const info = readSpInfo(parseSpInfoYaml(readFileSync(EXAMPLE, 'utf8'), EXAMPLE), EXAMPLE);
    document = spMetadataXml({
      entityId,
      handlerUrl: `${stack.publicUrl}/saml2jwt/Shibboleth.sso`,
      certificates: [readFileSync(join(stack.spLayout.keyDir, 'sp-cert.pem'), 'utf8')],
      info,
    });
    writeFileSync(join(stack.spLayout.keyDir, 'sp-metadata.xml'), document);
    await stack.restartSp({}); // Apache looks for the file when it starts
    // The test IdP keeps the SP's metadata for 60 s: make it read ours now.
    rmSync(join(stack.dir, 'idp', 'tmp', 'sp-metadata.xml'), { force: true });
  });

  after(async function () {
    this.timeout(30_000);
    if (stack) await stack.stop();
  });

  it('serves exactly the file, as SAML metadata, in place of Shibboleth\'s generated document', async () => {
    const served = await httpGet(metadataUrl);
    expect(served.status).to.equal(200);
    expect(served.headers['content-type']).to.match(/^application\/samlmetadata\+xml/);
    expect(served.body).to.equal(document);
    expect(served.body).to.include('<mdui:DisplayName xml:lang="en">University Video Meetings</mdui:DisplayName>');
  });

  it('nothing else of the key folder is reachable', async () => {
    for (const file of ['sp-key.pem', 'sp-cert.pem', 'sp-metadata.xml']) {
      const res = await httpGet(`http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/${file}`);
      expect(res.body, file).not.to.include('PRIVATE KEY');
      expect(res.status, file).not.to.equal(200);
    }
  });

  it('SimpleSAMLphp, reading the SP from that URL, logs a user in: the token reaches the meeting', async () => {
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      await page.goto(tokenAuthUrl(stack.publicUrl, 'Registered', 'acme'));
      await submitIdpLogin(page, 'alice', 'alice-pass');
      await page.waitForURL((u) => clientJwtFromUrl(u.href).jwt !== undefined, { timeout: 30_000 });
      expect(clientJwtFromUrl(page.url()).from).to.equal('hash');
      // The IdP's copy of the SP is ours (it kept what it read).
      expect(readFileSync(join(stack.dir, 'idp', 'tmp', 'sp-metadata.xml'), 'utf8')).to.equal(document);
    } finally {
      await context.close();
    }
  });

  it('without the file, Shibboleth\'s own handler answers again', async () => {
    unlinkSync(join(stack.spLayout.keyDir, 'sp-metadata.xml'));
    await stack.restartSp({});
    const served = await httpGet(metadataUrl);
    expect(served.status).to.equal(200);
    expect(served.body).not.to.include('mdui:DisplayName');
    expect(served.body).to.match(/<md:EntityDescriptor|<EntityDescriptor/);
  });
});
