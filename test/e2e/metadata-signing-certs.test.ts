// Issue 20 §2: the federation's signing certificate changes without an outage. METADATA_SIGNING_CERT
// may hold several certificates (one PEM file with several, or a folder): metadata signed by any of
// them loads, metadata signed by another key does not. Checked by shibd itself: `shibd -t` for the
// variants that load their metadata at start (federation, direct), `mdquery` for MDQ (one entity
// asked of the service).
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asMdqAnswer, makeSigner, signMetadata, type FederationSigner } from './support/federation-signer';
import { startMdqResponder, type MdqResponder } from './support/mdq-responder';
import { idpEntityDescriptor, idpMetadata, startMetadataServer, type MetadataServer } from './support/metadata-server';
import { mdquery, shibdTest } from './support/shib-tools';
import { keyedLayout, layoutEnv, runSpScript, type SpLayout } from './support/sp';

const SECRET = 'e2e-proxy-secret-0123456789abcdef0123';
const IDP = 'https://idp.example.test/idp/shibboleth';
const DS = 'https://ds.example.test/DS/WAYF';
const inTwoWeeks = (): Date => new Date(Date.now() + 14 * 86400e3);

describe('e2e: several federation signing certificates (a change of signing certificate without an outage)', function () {
  this.timeout(60000);
  let dir: string;
  let md: MetadataServer;
  let mdq: MdqResponder;
  let n = 0;
  let oldSigner: FederationSigner;
  let newSigner: FederationSigner;
  let thirdSigner: FederationSigner;
  /** The federation announced its new certificate: one PEM file holding the old and the new. */
  let bothInOneFile: string;
  /** The same as a folder: the old certificate's file, and a file with the new one (and no other). */
  let folder: string;
  let idpCert: string;

  /** Federation metadata (an aggregate) signed by `signer`; with or without KeyInfo in the signature. */
  const aggregateSignedBy = (signer: FederationSigner, keyInfo = true): string =>
    signMetadata(idpMetadata(IDP, idpCert, { id: '_fed', validUntil: inTwoWeeks() }), signer, { keyInfo });

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'saml2jwt-signers-'));
    [oldSigner, newSigner, thirdSigner] = ['old', 'new', 'third'].map((name) => makeSigner(dir, name)) as [FederationSigner, FederationSigner, FederationSigner];
    idpCert = thirdSigner.certPem; // any certificate will do as the IdP's own
    bothInOneFile = join(dir, 'federation-signers.pem');
    writeFileSync(bothInOneFile, oldSigner.certPem + newSigner.certPem);
    folder = join(dir, 'signers');
    mkdirSync(folder);
    copyFileSync(oldSigner.certFile, join(folder, 'federation-2026.pem'));
    copyFileSync(newSigner.certFile, join(folder, 'federation-2027.crt'));
    writeFileSync(join(folder, 'README.txt'), 'not a certificate, and not read\n');

    md = await startMetadataServer();
    md.set('/signed-old.xml', aggregateSignedBy(oldSigner));
    md.set('/signed-new.xml', aggregateSignedBy(newSigner));
    // No KeyInfo: shibd cannot pick the key by the certificate in the signature and tries each one.
    md.set('/signed-new-no-keyinfo.xml', aggregateSignedBy(newSigner, false));
    md.set('/signed-third.xml', aggregateSignedBy(thirdSigner));
    md.set('/signed-third-no-keyinfo.xml', aggregateSignedBy(thirdSigner, false));

    mdq = await startMdqResponder();
    for (const signer of [oldSigner, newSigner, thirdSigner]) {
      const entityId = `https://idp-${signer.name}.example.test/idp/shibboleth`;
      mdq.serve(entityId, signMetadata(asMdqAnswer(idpEntityDescriptor(entityId, idpCert), { id: `_${signer.name}`, validUntil: inTwoWeeks() }), signer));
    }
  });

  after(async function () {
    if (md) await md.close();
    if (mdq) await mdq.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const renderSp = async (env: Record<string, string>): Promise<{ layout: SpLayout; xml: string; stdout: string }> => {
    const layout = await keyedLayout(join(dir, `sp-${++n}`));
    const result = await runSpScript('saml2jwt-render', {
      ...layoutEnv(layout),
      PUBLIC_URL: 'https://meet.example.test',
      SIDECAR_PROXY_SECRET: SECRET,
      ...env,
    });
    expect(result.code, result.stderr).to.equal(0);
    return { layout, xml: readFileSync(join(layout.shibConfigDir, 'shibboleth2.xml'), 'utf8'), stdout: result.stdout };
  };

  /** The certificates shibd was given for the Signature filter, in order. */
  const signerCertificates = (xml: string): string[] =>
    [...xml.matchAll(/<CredentialResolver type="File" certificate="([^"]+)"\/>/g)].map((m) => readFileSync(m[1] as string, 'utf8'));

  for (const [what, source] of [
    ['one PEM file holding the old and the new certificate', () => bothInOneFile],
    ['a folder holding the old certificate (.pem) and the new one (.crt)', () => folder],
  ] as const) {
    describe(`METADATA_SIGNING_CERT = ${what}`, function () {
      it('renders one File resolver per certificate, in a Chaining resolver, and names each certificate at start', async function () {
        const { xml, stdout } = await renderSp({ SHIBBOLETH_TEMPLATE_XML: 'federation', METADATA_URL: md.url('/signed-new.xml'), SSO_URL: DS, METADATA_SIGNING_CERT: source() });
        expect(xml).to.match(/<MetadataFilter type="Signature" verifyBackup="true">\s*<!--[^]*?-->\s*<CredentialResolver type="Chaining">\s*(<CredentialResolver type="File" certificate="[^"]+"\/>\s*){2}<\/CredentialResolver>/);
        expect(signerCertificates(xml)).to.deep.equal([oldSigner.certPem, newSigner.certPem]);
        expect(stdout).to.match(/metadata signing certificate 1 of 2 \(certificate 1 of [^)]+\): SHA-256 [0-9A-F:]{95}, valid until /);
        expect(stdout).to.match(/metadata signing certificate 2 of 2 /);
      });

      for (const [signed, path, loads] of [
        ['the old certificate', '/signed-old.xml', true],
        ['the new certificate', '/signed-new.xml', true],
        ['the new certificate, without KeyInfo', '/signed-new-no-keyinfo.xml', true],
        ['a third key', '/signed-third.xml', false],
        ['a third key, without KeyInfo', '/signed-third-no-keyinfo.xml', false],
      ] as const) {
        it(`federation: metadata signed by ${signed} ${loads ? 'loads' : 'is refused'}`, async function () {
          const { layout } = await renderSp({ SHIBBOLETH_TEMPLATE_XML: 'federation', METADATA_URL: md.url(path), SSO_URL: DS, METADATA_SIGNING_CERT: source() });
          const result = await shibdTest(layout);
          if (loads) {
            expect(result.problems, result.output).to.deep.equal([]);
            expect(result.code).to.equal(0);
          } else {
            expect(result.output).to.match(/failed signature check: (CredentialResolver did not supply any candidate keys|Unable to verify signature with supplied key\(s\))/);
            expect(result.output).to.match(/error initializing MetadataProvider/);
          }
        });
      }

      it('direct: metadata signed by the old or the new certificate loads; by a third key it is refused', async function () {
        for (const [path, loads] of [['/signed-old.xml', true], ['/signed-new.xml', true], ['/signed-third.xml', false]] as const) {
          const { layout } = await renderSp({ METADATA_URL: md.url(path), SSO_URL: IDP, METADATA_SIGNING_CERT: source() });
          const result = await shibdTest(layout);
          expect(/error initializing MetadataProvider/.test(result.output), `${path}\n${result.output}`).to.equal(!loads);
        }
      });

      it('mdq: an entity signed by the old or the new certificate resolves; one signed by a third key does not', async function () {
        for (const [name, resolves] of [['old', true], ['new', true], ['third', false]] as const) {
          // A fresh SP each time: with answers in its MDQ cache, mdquery may exit (and crash, SP
          // 3.4.1) while Shibboleth still reads that cache in the background.
          const { layout } = await renderSp({ SHIBBOLETH_TEMPLATE_XML: 'mdq', MDQ_URL: mdq.baseUrl, SSO_URL: DS, METADATA_SIGNING_CERT: source() });
          const entityId = `https://idp-${name}.example.test/idp/shibboleth`;
          const asked = mdq.asked(entityId).length;
          const result = await mdquery(layout, entityId);
          expect(mdq.asked(entityId).length, `${name}: asked the MDQ service`).to.equal(asked + 1);
          expect(result.code, `${name}: mdquery's exit status\n${result.output}`).to.equal(0);
          expect(result.resolved, `${name}\n${result.output}`).to.equal(resolves);
          if (!resolves) expect(result.output).to.match(/failed signature check/);
        }
      });
    });
  }

  it('refuses a METADATA_SIGNING_CERT without a usable certificate, one line each', async function () {
    const layout = await keyedLayout(join(dir, 'refusals'));
    const emptyFolder = join(dir, 'empty-signers');
    mkdirSync(emptyFolder);
    writeFileSync(join(emptyFolder, 'notes.txt'), 'no certificate here\n');
    const keyOnly = join(dir, 'key-only.pem');
    copyFileSync(oldSigner.keyFile, keyOnly);
    const broken = join(dir, 'broken.pem');
    writeFileSync(broken, `${oldSigner.certPem}-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n`);
    for (const [signers, message] of [
      [join(dir, 'absent.pem'), `METADATA_SIGNING_CERT names "${join(dir, 'absent.pem')}", which is not a readable file or folder`],
      [emptyFolder, `METADATA_SIGNING_CERT names the folder "${emptyFolder}", which holds no *.pem or *.crt file`],
      [keyOnly, `METADATA_SIGNING_CERT: ${keyOnly} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`],
      [broken, `METADATA_SIGNING_CERT: certificate 2 of ${broken} is not a valid X.509 certificate`],
    ] as const) {
      const result = await runSpScript('saml2jwt-render', {
        ...layoutEnv(layout),
        PUBLIC_URL: 'https://meet.example.test',
        SIDECAR_PROXY_SECRET: SECRET,
        SHIBBOLETH_TEMPLATE_XML: 'federation',
        METADATA_URL: md.url('/signed-new.xml'),
        SSO_URL: DS,
        METADATA_SIGNING_CERT: signers,
      });
      expect(result.code, signers).to.equal(2);
      expect(result.stderr.trim()).to.equal(`saml2jwt-render: ${message}`);
    }
  });
});
