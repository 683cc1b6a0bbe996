// The SP metadata setup writes for a federation registrar (scripts/sp-metadata) is checked with
// Debian's xmllint against the SAML 2.0 metadata, MDUI and metadata-attribute schemas that
// Debian's OpenSAML ships (/usr/share/xml/opensaml/), offline: the schemas' http:// imports are
// mapped to the local copies through an XML catalog.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSpKeyPair } from '../../scripts/sp-keys';
import { parseSpInfoYaml, readSpInfo } from '../../scripts/sp-metadata/sp-info';
import { spMetadataXml } from '../../scripts/sp-metadata/sp-metadata-document';

const run = promisify(execFile);
const OPENSAML = '/usr/share/xml/opensaml';
const XMLTOOLING = '/usr/share/xml/xmltooling';
const EXAMPLE = resolve(__dirname, '../../compose-overlay/sp-info.example.yml');

/** xmllint's verdict on `xml` against the three metadata schemas. */
async function validate(dir: string, name: string, xml: string): Promise<{ ok: boolean; output: string }> {
  const file = join(dir, name);
  writeFileSync(file, xml);
  try {
    const { stdout, stderr } = await run('xmllint', ['--noout', '--nonet', '--schema', join(dir, 'metadata.xsd'), file], {
      env: { ...process.env, XML_CATALOG_FILES: join(dir, 'catalog.xml') },
    });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

describe('e2e: the SP metadata for registrars validates against the SAML schemas (xmllint)', function () {
  this.timeout(60_000);
  let dir: string;
  let xml: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'saml2jwt-md-schema-'));
    // One schema that imports the three namespaces the document uses; md imports ds, xenc, saml, xml.
    writeFileSync(
      join(dir, 'metadata.xsd'),
      `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-saml2jwt:test" elementFormDefault="qualified">
  <xs:import namespace="urn:oasis:names:tc:SAML:2.0:metadata" schemaLocation="${OPENSAML}/saml-schema-metadata-2.0.xsd"/>
  <xs:import namespace="urn:oasis:names:tc:SAML:metadata:ui" schemaLocation="${OPENSAML}/sstc-saml-metadata-ui-v1.0.xsd"/>
  <xs:import namespace="urn:oasis:names:tc:SAML:metadata:attribute" schemaLocation="${OPENSAML}/sstc-metadata-attr.xsd"/>
</xs:schema>
`,
    );
    writeFileSync(
      join(dir, 'catalog.xml'),
      `<?xml version="1.0"?>
<catalog xmlns="urn:oasis:names:tc:entity:xmlns:xml:catalog">
  <system systemId="http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd" uri="${XMLTOOLING}/xmldsig-core-schema.xsd"/>
  <system systemId="http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd" uri="${XMLTOOLING}/xenc-schema.xsd"/>
  <system systemId="http://www.w3.org/2001/xml.xsd" uri="${XMLTOOLING}/xml.xsd"/>
  <uri name="http://www.w3.org/TR/2002/REC-xmldsig-core-20020212/xmldsig-core-schema.xsd" uri="${XMLTOOLING}/xmldsig-core-schema.xsd"/>
  <uri name="http://www.w3.org/TR/2002/REC-xmlenc-core-20021210/xenc-schema.xsd" uri="${XMLTOOLING}/xenc-schema.xsd"/>
  <uri name="http://www.w3.org/2001/xml.xsd" uri="${XMLTOOLING}/xml.xsd"/>
</catalog>
`,
    );
    const info = readSpInfo(parseSpInfoYaml(readFileSync(EXAMPLE, 'utf8'), EXAMPLE), EXAMPLE);
    const { certPem } = createSpKeyPair('meet.uni.example', 'https://meet.uni.example/saml2jwt/shibboleth');
    const { certPem: next } = createSpKeyPair('meet.uni.example', 'https://meet.uni.example/saml2jwt/shibboleth');
    xml = spMetadataXml({ entityId: 'https://meet.uni.example/saml2jwt/shibboleth', handlerUrl: 'https://meet.uni.example/saml2jwt/Shibboleth.sso', certificates: [certPem, next], info });
  });

  it('the document made from the example sp-info.yml is valid', async () => {
    const verdict = await validate(dir, 'sp-metadata.xml', xml);
    expect(verdict.output).to.include('validates');
    expect(verdict.ok, verdict.output).to.equal(true);
  });

  it('the validation is real: an MDUI logo without its size, or a document without an ACS, is refused', async () => {
    const noLogoSize = await validate(dir, 'bad-logo.xml', xml.replace(/<mdui:Logo height="60" width="200">/, '<mdui:Logo>'));
    expect(noLogoSize.ok, noLogoSize.output).to.equal(false);
    expect(noLogoSize.output).to.match(/Logo.*(height|width)/);
    const noAcs = await validate(dir, 'no-acs.xml', xml.replace(/ *<md:AssertionConsumerService [^>]*\/>\n/, ''));
    expect(noAcs.ok, noAcs.output).to.equal(false);
    expect(noAcs.output).to.match(/AssertionConsumerService/);
  });
});
