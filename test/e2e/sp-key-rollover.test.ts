// Issue 20 §2: the SP's key changes without an outage. At every phase of `keys sp-rollover`
// (add, switch, finish) the real SP (Apache + mod_shib + shibd, rendered by the image's own
// script into a Chaining resolver) is restarted and SimpleSAMLphp, which encrypts every assertion
// for the SP, is fed the metadata of that phase; a user logs in each time. Feeding the IdP only
// one of the two certificates shows that both keys decrypt while a rollover runs, and a login
// with the removed key failing after `finish` shows the test can fail.
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSpInfoYaml, readSpInfo } from '../../scripts/sp-metadata/sp-info';
import { spMetadataXml } from '../../scripts/sp-metadata/sp-metadata-document';
import { rolloverAdd, rolloverFinish, rolloverSwitch, spCertificates } from '../../scripts/sp-rollover';
import { clientJwtFromUrl } from '../support/jitsi-client';
import { newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { httpGet } from './support/http-request';
import { ensureSidecarBuilt } from './support/sidecar';
import { startStack, type Stack } from './support/stack';

const EXAMPLE = resolve(__dirname, '../../compose-overlay/sp-info.example.yml');

describe('e2e: SP key rollover (keys sp-rollover add, switch, finish), a login at every phase', function () {
  this.timeout(600_000);
  let stack: Stack;
  let entityId: string;
  let keyDir: string;
  let original: string;
  let added: string;
  const info = readSpInfo(parseSpInfoYaml(readFileSync(EXAMPLE, 'utf8'), EXAMPLE), EXAMPLE);

  before(async function () {
    this.timeout(240_000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: 'saml2jwt-e2e-rollover', appSecret: 'e2e-rollover-secret-0123456789abcdef0123', xmppDomain: 'meet.jitsi' } });
    keyDir = stack.spLayout.keyDir;
    entityId = /entityID="([^"]+)"/.exec((await httpGet(`http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/Metadata`)).body)?.[1] as string;
    original = readFileSync(join(keyDir, 'sp-cert.pem'), 'utf8');
  });

  after(async function () {
    this.timeout(30_000);
    if (stack) await stack.stop();
  });

  /** The SP restarted (it renders its credentials from the key folder), serving metadata with `certificates` to the IdP. */
  async function restartWithMetadata(certificates: string[]): Promise<void> {
    const xml = spMetadataXml({ entityId, handlerUrl: `${stack.publicUrl}/saml2jwt/Shibboleth.sso`, certificates, info });
    writeFileSync(join(keyDir, 'sp-metadata.xml'), xml);
    await stack.restartSp({});
    rmSync(join(stack.dir, 'idp', 'tmp', 'sp-metadata.xml'), { force: true }); // the IdP reads it afresh
  }

  /** A fresh browser logs in; true when it lands on the meeting with a token. */
  async function logsIn(room: string): Promise<boolean> {
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      await page.goto(tokenAuthUrl(stack.publicUrl, room, 'acme'));
      await submitIdpLogin(page, 'alice', 'alice-pass');
      return await page
        .waitForURL((u) => clientJwtFromUrl(u.href).jwt !== undefined, { timeout: 20_000 })
        .then(() => true, () => false);
    } finally {
      await context.close();
    }
  }

  it('before: one key; the IdP encrypts for it', async () => {
    await restartWithMetadata(spCertificates(keyDir));
    expect(spCertificates(keyDir)).to.deep.equal([original]);
    expect(await logsIn('Before')).to.equal(true);
  });

  it('add: a second key; both decrypt (the IdP given only the new certificate, then only the old)', async () => {
    rolloverAdd(keyDir, 'meet.example.test', entityId);
    added = readFileSync(join(keyDir, 'sp-cert-next.pem'), 'utf8');
    expect(spCertificates(keyDir)).to.deep.equal([original, added]);
    await restartWithMetadata([added]);
    expect(await logsIn('AddedNew')).to.equal(true);
    await restartWithMetadata([original]);
    expect(await logsIn('AddedOld')).to.equal(true);
  });

  it('switch: the new key signs; the old one still decrypts for IdPs that hold the old metadata', async () => {
    rolloverSwitch(keyDir);
    expect(readFileSync(join(keyDir, 'sp-cert.pem'), 'utf8')).to.equal(added);
    expect(spCertificates(keyDir)).to.deep.equal([added, original]);
    await restartWithMetadata([added]);
    expect(await logsIn('SwitchedNew')).to.equal(true);
    await restartWithMetadata([original]);
    expect(await logsIn('SwitchedOld')).to.equal(true);
  });

  it('finish: the new key alone logs in; an IdP still encrypting for the removed key fails (the control)', async () => {
    rolloverFinish(keyDir);
    expect(spCertificates(keyDir)).to.deep.equal([added]);
    await restartWithMetadata([added]);
    expect(await logsIn('Finished')).to.equal(true);
    await restartWithMetadata([original]);
    expect(await logsIn('RemovedKey')).to.equal(false);
  });
});
