import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSpKeyPair } from '../../../scripts/sp-keys';
import { fieldAt, missingSpInfoFields, parseSpInfoYaml, readSpInfo, SpInfoError, withField } from '../../../scripts/sp-metadata/sp-info';
import { spMetadataXml } from '../../../scripts/sp-metadata/sp-metadata-document';
import { SAML_ATTRIBUTES } from '../../../sidecar/src/identity/attributes';

const EXAMPLE = path.resolve(__dirname, '../../../compose-overlay/sp-info.example.yml');
const ATTRIBUTE_MAP = path.resolve(__dirname, '../../../shib-image/rootfs/defaults/attribute-map.xml');

const minimal = {
  displayName: 'Video',
  description: 'Meetings',
  informationURL: 'https://meet.uni.example/about',
  privacyStatementURL: 'https://meet.uni.example/privacy',
  organization: { name: 'Uni', displayName: 'Uni', url: 'https://uni.example/' },
  contacts: { technical: 'tech@uni.example', support: 'help@uni.example' },
};

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    readSpInfo(raw, 'sp-info.yml');
  } catch (err) {
    expect(err).to.be.instanceOf(SpInfoError);
    return (err as SpInfoError).problems;
  }
  return expect.fail('readSpInfo accepted it');
}

describe('scripts/sp-metadata: sp-info.yml', () => {
  it('reads the example file: languages, logo, organisation, contacts, categories, subject-id:req, Sirtfi', () => {
    const info = readSpInfo(parseSpInfoYaml(readFileSync(EXAMPLE, 'utf8'), EXAMPLE), EXAMPLE);
    expect(info.displayName).to.deep.equal({ en: 'University Video Meetings', fr: "Visioconférence de l'Université" });
    expect(info.informationURL).to.deep.equal({ en: 'https://meet.uni.example/about' });
    expect(info.logo).to.deep.equal({ url: 'https://meet.uni.example/images/logo.png', width: 200, height: 60 });
    expect(info.contacts.technical).to.deep.equal({ givenName: 'Video Team', email: 'video-team@uni.example' });
    expect(info.contacts.support).to.deep.equal({ email: 'helpdesk@uni.example' });
    expect(info.contacts.security).to.deep.equal({ email: 'cert@uni.example' });
    expect([info.subjectIdReq, info.sirtfi]).to.deep.equal(['pairwise-id', true]);
  });

  it('reports every problem at once, each with its field', () => {
    const problems = problemsOf({
      displayName: { fr: 'Vidéo' },
      description: 'x',
      informationURL: 'http://plain.example/',
      privacyStatementURL: { en: 'https://p.example', 'not a tag': 'x' },
      logo: { url: 'javascript:alert(1)', width: 0, height: 'big' },
      organization: { name: 'Uni', url: 'https://uni.example' },
      contacts: { technical: 'not-an-address', billing: 'b@uni.example' },
      subjectIdReq: 'mail',
      sirtfi: true,
      extra: 1,
    });
    expect(problems).to.include.members([
      'sp-info.yml: extra: unknown field (known: displayName, description, informationURL, privacyStatementURL, logo, organization, contacts, entityCategories, subjectIdReq, sirtfi)',
      'sp-info.yml: displayName: needs an English text (en): federations require one',
      'sp-info.yml: informationURL.en: must be an https:// URL',
      'sp-info.yml: privacyStatementURL.not a tag: is not a language tag (en, fr, de-CH, …)',
      'sp-info.yml: logo.url: must be an https:// URL',
      'sp-info.yml: logo.width: must be a whole number of pixels (1 to 4096)',
      'sp-info.yml: logo.height: must be a whole number of pixels (1 to 4096)',
      'sp-info.yml: organization.displayName: needs an English text (en): federations require one',
      'sp-info.yml: contacts.billing: unknown contact type (known: technical, support, security, administrative)',
      'sp-info.yml: contacts.technical.email: must be an e-mail address',
      'sp-info.yml: contacts.support: is required (an e-mail address)',
      'sp-info.yml: subjectIdReq: must be any, subject-id or pairwise-id',
      'sp-info.yml: sirtfi: needs a security contact (contacts.security): Sirtfi requires one',
    ]);
  });

  it('names the required fields an empty file lacks, and takes the answers setup asked for', () => {
    expect(missingSpInfoFields({})).to.deep.equal([
      'displayName.en', 'description.en', 'informationURL.en', 'privacyStatementURL.en',
      'organization.name.en', 'organization.displayName.en', 'organization.url.en',
      'contacts.technical.email', 'contacts.support.email',
    ]);
    expect(missingSpInfoFields(minimal), 'a plain text is the English one, a plain contact its address').to.deep.equal([]);
    let raw: Record<string, unknown> = { displayName: { fr: 'Vidéo' }, description: 'Meetings', contacts: { support: 'help@uni.example' } };
    raw = withField(raw, 'displayName.en', 'Video');
    raw = withField(raw, 'description.de', 'Besprechungen');
    raw = withField(raw, 'contacts.technical.email', 'tech@uni.example');
    raw = withField(raw, 'contacts.support.givenName', 'Helpdesk');
    expect(fieldAt(raw, 'displayName')).to.deep.equal({ fr: 'Vidéo', en: 'Video' });
    expect(fieldAt(raw, 'description')).to.deep.equal({ en: 'Meetings', de: 'Besprechungen' });
    expect(fieldAt(raw, 'contacts.technical')).to.deep.equal({ email: 'tech@uni.example' });
    expect(fieldAt(raw, 'contacts.support')).to.deep.equal({ email: 'help@uni.example', givenName: 'Helpdesk' });
    expect(missingSpInfoFields(raw)).not.to.include.members(['displayName.en', 'contacts.technical.email', 'contacts.support.email']);
  });

  it('refuses YAML that is not a mapping, and a syntax error, naming the file', () => {
    expect(() => parseSpInfoYaml('- a\n- b\n', 'f.yml')).to.throw(SpInfoError, /f\.yml: must be a mapping/);
    expect(() => parseSpInfoYaml('a: [\n', 'f.yml')).to.throw(SpInfoError, /f\.yml: invalid YAML/);
    expect(parseSpInfoYaml('', 'f.yml')).to.deep.equal({});
  });
});

describe('scripts/sp-metadata: the metadata document', () => {
  const { certPem } = createSpKeyPair('meet.uni.example', 'https://meet.uni.example/saml2jwt/shibboleth');
  const { certPem: nextPem } = createSpKeyPair('meet.uni.example', 'https://meet.uni.example/saml2jwt/shibboleth');
  const info = readSpInfo(parseSpInfoYaml(readFileSync(EXAMPLE, 'utf8'), EXAMPLE), EXAMPLE);
  const xml = spMetadataXml({ entityId: 'https://meet.uni.example/saml2jwt/shibboleth', handlerUrl: 'https://meet.uni.example/saml2jwt/Shibboleth.sso', certificates: [certPem, nextPem], info });

  it('is one EntityDescriptor for the entity id, with MDUI in every language given', () => {
    expect(xml.match(/<md:EntityDescriptor /g)).to.have.length(1);
    expect(xml).to.include('entityID="https://meet.uni.example/saml2jwt/shibboleth"');
    expect(xml).to.include('<mdui:DisplayName xml:lang="en">University Video Meetings</mdui:DisplayName>');
    expect(xml).to.include('<mdui:DisplayName xml:lang="fr">Visioconférence de l&apos;Université</mdui:DisplayName>');
    expect(xml).to.include('<mdui:Logo height="60" width="200">https://meet.uni.example/images/logo.png</mdui:Logo>');
    expect(xml).to.include('<mdui:PrivacyStatementURL xml:lang="en">https://meet.uni.example/privacy</mdui:PrivacyStatementURL>');
  });

  it('lists every certificate, without `use`, so an IdP may encrypt for either during a rollover', () => {
    expect(xml.match(/<md:KeyDescriptor>/g)).to.have.length(2);
    for (const pem of [certPem, nextPem]) expect(xml).to.include(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
  });

  it('has the ACS and SLO endpoints under the handler URL', () => {
    expect(xml).to.include('<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://meet.uni.example/saml2jwt/Shibboleth.sso/SAML2/POST" index="1" isDefault="true"/>');
    expect(xml).to.include('Location="https://meet.uni.example/saml2jwt/Shibboleth.sso/SLO/Redirect"');
  });

  it('requests the attributes the sidecar reads by their SAML names, requiring only the id the SP declares it needs', () => {
    const requested = [...xml.matchAll(/<md:RequestedAttribute FriendlyName="([^"]+)" Name="([^"]+)" NameFormat="[^"]+" isRequired="(true|false)"\/>/g)].map((m) => [m[1], m[2], m[3]]);
    expect(requested.map(([name]) => name)).to.deep.equal(Object.keys(SAML_ATTRIBUTES).filter((n) => SAML_ATTRIBUTES[n as keyof typeof SAML_ATTRIBUTES].samlName !== undefined));
    expect(requested.filter(([, , required]) => required === 'true')).to.deep.equal([['pairwise-id', 'urn:oasis:names:tc:SAML:attribute:pairwise-id', 'true']]);
  });

  it('names each requested attribute as the SP\'s attribute-map.xml maps it', () => {
    const map = readFileSync(ATTRIBUTE_MAP, 'utf8');
    for (const [name, { samlName }] of Object.entries(SAML_ATTRIBUTES)) {
      if (samlName === undefined) continue;
      expect(map, name).to.match(new RegExp(`<Attribute name="${samlName.replace(/\./g, '\\.')}" id="${name}"`));
    }
  });

  it('carries the security contact the REFEDS way, Sirtfi, subject-id:req and the organisation', () => {
    expect(xml).to.include('<md:ContactPerson contactType="other" remd:contactType="http://refeds.org/metadata/contactType/security">');
    expect(xml).to.include('<md:EmailAddress>mailto:cert@uni.example</md:EmailAddress>');
    expect(xml).to.include('<saml:AttributeValue>https://refeds.org/sirtfi</saml:AttributeValue>');
    expect(xml).to.include('<saml:Attribute Name="urn:oasis:names:tc:SAML:profiles:subject-id:req" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">');
    expect(xml).to.include('<md:OrganizationURL xml:lang="en">https://www.uni.example/</md:OrganizationURL>');
  });

  it('escapes what reaches XML, and is the same document every time', () => {
    const hostile = readSpInfo({ ...minimal, displayName: { en: '</mdui:DisplayName><evil a="1">&' } }, 'x');
    const doc = spMetadataXml({ entityId: 'https://e.example/?a=1&b="2"', handlerUrl: 'https://e.example/saml2jwt/Shibboleth.sso', certificates: [certPem], info: hostile });
    expect(doc).to.include('&lt;/mdui:DisplayName&gt;&lt;evil a=&quot;1&quot;&gt;&amp;');
    expect(doc).to.include('entityID="https://e.example/?a=1&amp;b=&quot;2&quot;"');
    expect(doc).not.to.include('<evil');
    expect(spMetadataXml({ entityId: 'https://e.example/?a=1&b="2"', handlerUrl: 'https://e.example/saml2jwt/Shibboleth.sso', certificates: [certPem], info: hostile })).to.equal(doc);
  });

  it('refuses a document without a certificate, or with something that is not one', () => {
    expect(() => spMetadataXml({ entityId: 'e', handlerUrl: 'h', certificates: [], info })).to.throw(/at least one certificate/);
    expect(() => spMetadataXml({ entityId: 'e', handlerUrl: 'h', certificates: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'], info })).to.throw();
  });
});
