// setup --sp-info: the SP metadata a registrar accepts, written for the operator and for the SP to
// serve; the sp-info kept for re-runs; missing fields asked on a terminal, named without one.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spMetadataChecks } from '../../../scripts/doctor-sp-metadata';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { copyCheckout, directIdpArgs, fingerprint, preCreateSpKeys, realPackageRoot, runSetup, sharedSpKeys, type Checkout } from './checkout-fixture';

const EXAMPLE = path.join(realPackageRoot, 'compose-overlay', 'sp-info.example.yml');

describe('scripts/setup --sp-info (issue 20 §1)', function () {
  this.timeout(120000);
  let c: Checkout;
  beforeEach(() => {
    c = copyCheckout();
    preCreateSpKeys(c);
  });
  afterEach(() => c.cleanup());
  const registrarCopy = (): string => path.join(c.configDir, 'saml2jwt', 'sp-metadata.xml');
  const servedCopy = (): string => path.join(c.configDir, 'saml2jwt', 'sp', 'sp-metadata.xml');
  const read = (p: string): string => fs.readFileSync(p, 'utf8');

  it('writes the metadata for the registrar and the SP\'s copy, identical, with the SP\'s certificate; says where to upload it', async () => {
    const r = await runSetup(c, [...directIdpArgs, '--sp-info', EXAMPLE]);
    expect(r.code, r.err).to.equal(0);
    const xml = read(registrarCopy());
    expect(read(servedCopy())).to.equal(xml);
    const cert = read(path.join(c.configDir, 'saml2jwt', 'sp', 'sp-cert.pem')).replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    expect(xml).to.include(`<ds:X509Certificate>${cert}</ds:X509Certificate>`);
    expect(xml).to.include('<mdui:DisplayName xml:lang="en">University Video Meetings</mdui:DisplayName>');
    expect(xml).to.include('entityID="https://meet.example.com:8443/saml2jwt/shibboleth"');
    expect(xml).to.include('Location="https://meet.example.com:8443/saml2jwt/Shibboleth.sso/SAML2/POST"');
    expect(r.out).to.include(`federation: upload ${registrarCopy()} to your federation's registrar`);
    expect(spMetadataChecks({ path: registrarCopy(), text: xml }, { exitCode: 0, output: read(servedCopy()) }, { exitCode: 0, output: read(path.join(c.configDir, 'saml2jwt', 'sp', 'sp-cert.pem')) }).every((check) => check.ok)).to.equal(true);
  });

  it('keeps the sp-info: a run without the flag writes the same again (nothing to change), and follows a new public URL', async () => {
    expect((await runSetup(c, [...directIdpArgs, '--sp-info', EXAMPLE])).code).to.equal(0);
    expect(read(path.join(c.configDir, 'saml2jwt', 'sp-info.yml'))).to.equal(read(EXAMPLE));
    expect((await runSetup(c, directIdpArgs)).out).to.match(/^Nothing to change/);
    const moved = await runSetup(c, [...directIdpArgs, '--public-url', 'https://video.example.org', '--sp-entity-id', 'https://video.example.org/saml2jwt/shibboleth']);
    expect(moved.code, moved.err).to.equal(0);
    expect(read(registrarCopy())).to.include('Location="https://video.example.org/saml2jwt/Shibboleth.sso/SAML2/POST"');
    expect(read(servedCopy())).to.equal(read(registrarCopy()));
  });

  it('without a terminal, names each required field the file lacks; nothing is written', async () => {
    const partial = path.join(c.root, 'partial.yml');
    fs.writeFileSync(partial, 'displayName: Video\n');
    const before = fingerprint(c.dir, c.home);
    const r = await runSetup(c, [...directIdpArgs, '--sp-info', partial]);
    expect(r.code).to.equal(2);
    expect(r.err).to.include(`description.en in ${partial} (--sp-info)`).and.include(`contacts.technical.email in ${partial} (--sp-info)`);
    expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
  });

  it('on a terminal, asks for them, and keeps the completed file', async () => {
    const partial = path.join(c.root, 'partial.yml');
    fs.writeFileSync(partial, fs.readFileSync(EXAMPLE, 'utf8').replace(/^description:\n {2}en: .*\n/m, '').replace(/^ {2}support: .*\n/m, ''));
    const asked: string[] = [];
    const answers: Record<string, string> = { 'SP metadata, description.en: ': 'Video meetings', 'SP metadata, contacts.support.email: ': 'help@uni.example' };
    const onTerminal = directIdpArgs.filter((arg) => arg !== '--non-interactive');
    const r = await runSetup(c, [...onTerminal, '--sp-info', partial, '--yes'], {
      interactive: true,
      ask: async (question) => {
        asked.push(question);
        return answers[question] ?? '';
      },
    });
    expect(r.code, r.err).to.equal(0);
    expect(asked).to.include.members(Object.keys(answers));
    expect(read(registrarCopy())).to.include('<mdui:Description xml:lang="en">Video meetings</mdui:Description>').and.include('mailto:help@uni.example');
    expect(read(path.join(c.configDir, 'saml2jwt', 'sp-info.yml'))).to.include('Video meetings');
  });

  it('refuses a file with a wrong field, naming it; nothing is written', async () => {
    const bad = path.join(c.root, 'bad.yml');
    fs.writeFileSync(bad, fs.readFileSync(EXAMPLE, 'utf8').replace('informationURL: https://meet.uni.example/about', 'informationURL: http://meet.uni.example/about'));
    const before = fingerprint(c.dir, c.home);
    const r = await runSetup(c, [...directIdpArgs, '--sp-info', bad]);
    expect(r.code).to.equal(2);
    expect(r.err).to.include(`${bad}: informationURL.en: must be an https:// URL`);
    expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
  });
});

describe('doctor: the SP metadata for the federation', () => {
  const file = { path: '/cfg/saml2jwt/sp-metadata.xml', text: '<md:EntityDescriptor><ds:X509Certificate>AAAA</ds:X509Certificate></md:EntityDescriptor>\n' };
  it('says nothing without the file; fails when the SP serves another document or not the certificate shibd uses', () => {
    expect(spMetadataChecks(undefined, undefined, undefined)).to.deep.equal([]);
    const cert = { exitCode: 0, output: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' };
    expect(spMetadataChecks(file, { exitCode: 0, output: file.text }, cert).map((r) => r.ok)).to.deep.equal([true, true]);
    const generated = spMetadataChecks(file, { exitCode: 0, output: '<!-- generated by Shibboleth -->' }, cert);
    expect(generated[0]).to.include({ ok: false });
    expect(generated[0]?.fix).to.include('recreate saml-sp');
    const otherKey = spMetadataChecks(file, { exitCode: 0, output: file.text }, { exitCode: 0, output: '-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n' });
    expect(otherKey[1]).to.include({ ok: false });
    expect(spMetadataChecks(file, undefined, undefined)[0]?.fix).to.include('not running');
  });
});

describe('scripts/setup --mdq-url (issue 20 §3)', function () {
  this.timeout(120000);
  let c: Checkout;
  let signer: string;
  beforeEach(() => {
    c = copyCheckout();
    preCreateSpKeys(c);
    signer = path.join(c.root, 'fed-signer.pem');
    fs.writeFileSync(signer, sharedSpKeys().certPem);
  });
  afterEach(() => c.cleanup());
  const env = (): EnvFile => EnvFile.parse(fs.readFileSync(c.envPath, 'utf8'));
  const base = ['--public-url', 'https://meet.example.com:8443', '--non-interactive'];

  it('writes the mdq template: MDQ_URL (with its slash), the discovery service, the signing certificate; a re-run keeps it', async () => {
    const args = [...base, '--mdq-url', 'https://mdq.fed.example/global', '--discovery-url', 'https://ds.fed.example/ds', '--metadata-signing-cert', signer];
    const r = await runSetup(c, args);
    expect(r.code, r.err).to.equal(0);
    const e = env();
    expect([e.expanded('SHIBBOLETH_TEMPLATE_XML'), e.expanded('MDQ_URL'), e.expanded('SSO_URL'), e.expanded('METADATA_SIGNING_CERT')]).to.deep.equal([
      'mdq', 'https://mdq.fed.example/global/', 'https://ds.fed.example/ds', '/etc/shibboleth/keys/metadata-signing-cert.pem',
    ]);
    expect(e.expanded('METADATA_URL') ?? '').to.equal('');
    expect(r.out).to.include('federation: MDQ, each IdP asked of https://mdq.fed.example/global/');
    expect((await runSetup(c, base)).out).to.match(/^Nothing to change/);
  });

  it('refuses MDQ without the federation\'s signing certificate, or for one IdP; nothing is written', async () => {
    const before = fingerprint(c.dir, c.home);
    const unsigned = await runSetup(c, [...base, '--mdq-url', 'https://mdq.fed.example/', '--discovery-url', 'https://ds.fed.example/ds']);
    expect(unsigned.code).to.equal(2);
    expect(unsigned.err).to.include('--mdq-url needs --metadata-signing-cert');
    const oneIdp = await runSetup(c, [...base, '--mdq-url', 'https://mdq.fed.example/', '--idp-entity-id', 'https://idp.example.org/idp', '--metadata-signing-cert', signer]);
    expect(oneIdp.code).to.equal(2);
    expect(oneIdp.err).to.include('--mdq-url is for a federation whose users choose their IdP');
    expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
  });

  it('recommends MDQ (or the national feed) to an operator who gives the eduGAIN aggregate', async () => {
    const r = await runSetup(c, [...base, '--metadata-url', 'https://mds.edugain.org/edugain-v2.xml', '--discovery-url', 'https://ds.fed.example/ds', '--metadata-signing-cert', signer]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include("METADATA_URL is eduGAIN's whole aggregate").and.include('--mdq-url');
  });
});
