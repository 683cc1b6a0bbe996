// A synthetic federation for the scale benchmark: N IdPs shaped like real eduGAIN entries (mdui in
// two languages, registration info, entity attributes, signing, encryption and back-channel keys,
// SAML 1 and 2 endpoints, an attribute authority, organisation and three contacts), so that parsing,
// schema validation and the signature check cost what a real aggregate costs. Certificates come from
// a small pool: shibd does not look inside them while it loads the aggregate.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { samlTime } from '../test/e2e/support/federation-signer';

const NS = [
  'xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"',
  'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"',
  'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"',
  'xmlns:shibmd="urn:mace:shibboleth:metadata:1.0"',
  'xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"',
  'xmlns:mdattr="urn:oasis:names:tc:SAML:metadata:attribute"',
  'xmlns:mdrpi="urn:oasis:names:tc:SAML:metadata:rpi"',
  'xmlns:remd="http://refeds.org/metadata"',
].join(' ');

const BINDING = {
  soap1: 'urn:oasis:names:tc:SAML:1.0:bindings:SOAP-binding',
  soap2: 'urn:oasis:names:tc:SAML:2.0:bindings:SOAP',
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
  simpleSign: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST-SimpleSign',
  shib1: 'urn:mace:shibboleth:1.0:profiles:AuthnRequest',
};
const URI_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';

/** `count` self-signed RSA 2048 certificates (base64 DER, as X509Certificate holds them). */
export function certificatePool(dir: string, count: number): string[] {
  const pool: string[] = [];
  for (let i = 0; i < count; i++) {
    const cert = join(dir, `pool-${i}.pem`);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', `/CN=idp${i}.example.edu`,
      '-keyout', join(dir, `pool-${i}-key.pem`), '-out', cert], { stdio: 'ignore' });
    pool.push(readFileSync(cert, 'utf8').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
  }
  return pool;
}

export const idpEntityId = (i: number): string => `https://idp.uni${i}.example.edu/idp/shibboleth`;

const keyDescriptor = (use: string, cert: string): string =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`
  + (use === 'encryption' ? '<md:EncryptionMethod Algorithm="http://www.w3.org/2009/xmlenc11#rsa-oaep"/><md:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"/>' : '')
  + '</md:KeyDescriptor>';

const contact = (type: string, name: string, mail: string, security = false): string =>
  `<md:ContactPerson contactType="${type}"${security ? ' remd:contactType="http://refeds.org/metadata/contactType/security"' : ''}>`
  + `<md:GivenName>${name}</md:GivenName><md:SurName>Team</md:SurName><md:EmailAddress>mailto:${mail}</md:EmailAddress></md:ContactPerson>`;

/** IdP number `i` as an EntityDescriptor (namespaces declared on the document root). */
export function syntheticIdp(i: number, certs: string[], options: { namespaces?: boolean; id?: string; validUntil?: Date } = {}): string {
  const host = `idp.uni${i}.example.edu`;
  const scope = `uni${i}.example.edu`;
  const cert = (k: number): string => certs[(i * 3 + k) % certs.length] as string;
  const root = [
    options.namespaces ? ` ${NS}` : '',
    options.id ? ` ID="${options.id}"` : '',
    options.validUntil ? ` validUntil="${samlTime(options.validUntil)}"` : '',
  ].join('');
  return `<md:EntityDescriptor${root} entityID="${idpEntityId(i)}">
<md:Extensions>
<mdrpi:RegistrationInfo registrationAuthority="https://federation${i % 40}.example.org/" registrationInstant="2019-03-01T12:00:00Z"><mdrpi:RegistrationPolicy xml:lang="en">https://federation${i % 40}.example.org/policy/metadata-registration-practice-statement</mdrpi:RegistrationPolicy></mdrpi:RegistrationInfo>
<mdattr:EntityAttributes>
<saml:Attribute Name="urn:oasis:names:tc:SAML:attribute:assurance-certification" NameFormat="${URI_FORMAT}"><saml:AttributeValue>https://refeds.org/sirtfi</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="http://macedir.org/entity-category-support" NameFormat="${URI_FORMAT}"><saml:AttributeValue>http://refeds.org/category/research-and-scholarship</saml:AttributeValue><saml:AttributeValue>https://refeds.org/category/code-of-conduct/v2</saml:AttributeValue></saml:Attribute>
</mdattr:EntityAttributes>
</md:Extensions>
<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol urn:mace:shibboleth:1.0">
<md:Extensions>
<shibmd:Scope regexp="false">${scope}</shibmd:Scope>
<mdui:UIInfo>
<mdui:DisplayName xml:lang="en">University ${i} of Example</mdui:DisplayName>
<mdui:DisplayName xml:lang="de">Universität ${i} Beispiel</mdui:DisplayName>
<mdui:Description xml:lang="en">The identity provider of University ${i} of Example, for its students, researchers and staff. Contact the service desk for help with your account.</mdui:Description>
<mdui:Description xml:lang="de">Der Identity Provider der Universität ${i} Beispiel für Studierende, Forschende und Beschäftigte. Bei Fragen zum Konto hilft der Service Desk.</mdui:Description>
<mdui:InformationURL xml:lang="en">https://www.${scope}/en/it-services/login</mdui:InformationURL>
<mdui:PrivacyStatementURL xml:lang="en">https://www.${scope}/en/privacy/identity-provider</mdui:PrivacyStatementURL>
<mdui:Logo height="16" width="16">https://www.${scope}/favicon.ico</mdui:Logo>
<mdui:Logo height="80" width="220">https://www.${scope}/static/logo-university-${i}.png</mdui:Logo>
</mdui:UIInfo>
<mdui:DiscoHints><mdui:DomainHint>${scope}</mdui:DomainHint><mdui:IPHint>10.${i % 250}.0.0/16</mdui:IPHint></mdui:DiscoHints>
</md:Extensions>
${keyDescriptor('signing', cert(0))}
${keyDescriptor('encryption', cert(1))}
${keyDescriptor('', cert(2))}
<md:ArtifactResolutionService Binding="${BINDING.soap1}" Location="https://${host}:8443/idp/profile/SAML1/SOAP/ArtifactResolution" index="1"/>
<md:ArtifactResolutionService Binding="${BINDING.soap2}" Location="https://${host}:8443/idp/profile/SAML2/SOAP/ArtifactResolution" index="2"/>
<md:SingleLogoutService Binding="${BINDING.redirect}" Location="https://${host}/idp/profile/SAML2/Redirect/SLO"/>
<md:SingleLogoutService Binding="${BINDING.post}" Location="https://${host}/idp/profile/SAML2/POST/SLO"/>
<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
<md:SingleSignOnService Binding="${BINDING.shib1}" Location="https://${host}/idp/profile/Shibboleth/SSO"/>
<md:SingleSignOnService Binding="${BINDING.post}" Location="https://${host}/idp/profile/SAML2/POST/SSO"/>
<md:SingleSignOnService Binding="${BINDING.simpleSign}" Location="https://${host}/idp/profile/SAML2/POST-SimpleSign/SSO"/>
<md:SingleSignOnService Binding="${BINDING.redirect}" Location="https://${host}/idp/profile/SAML2/Redirect/SSO"/>
</md:IDPSSODescriptor>
<md:AttributeAuthorityDescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol urn:oasis:names:tc:SAML:1.1:protocol">
<md:Extensions><shibmd:Scope regexp="false">${scope}</shibmd:Scope></md:Extensions>
${keyDescriptor('signing', cert(0))}
<md:AttributeService Binding="${BINDING.soap1}" Location="https://${host}:8443/idp/profile/SAML1/SOAP/AttributeQuery"/>
<md:AttributeService Binding="${BINDING.soap2}" Location="https://${host}:8443/idp/profile/SAML2/SOAP/AttributeQuery"/>
</md:AttributeAuthorityDescriptor>
<md:Organization>
<md:OrganizationName xml:lang="en">University ${i} of Example</md:OrganizationName><md:OrganizationName xml:lang="de">Universität ${i} Beispiel</md:OrganizationName>
<md:OrganizationDisplayName xml:lang="en">University ${i} of Example</md:OrganizationDisplayName><md:OrganizationDisplayName xml:lang="de">Universität ${i} Beispiel</md:OrganizationDisplayName>
<md:OrganizationURL xml:lang="en">https://www.${scope}/en/</md:OrganizationURL><md:OrganizationURL xml:lang="de">https://www.${scope}/de/</md:OrganizationURL>
</md:Organization>
${contact('technical', 'Identity', `identity@${scope}`)}
${contact('support', 'Service Desk', `servicedesk@${scope}`)}
${contact('other', 'Security', `cert@${scope}`, true)}
</md:EntityDescriptor>
`;
}

/** Writes an unsigned aggregate of IdPs 1..count (root ID "_aggregate", valid for two weeks); returns its size in bytes. */
export function writeAggregate(file: string, count: number, certs: string[]): number {
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<md:EntitiesDescriptor ${NS} ID="_aggregate" Name="urn:example:synthetic-federation" validUntil="${samlTime(new Date(Date.now() + 14 * 86400e3))}">\n`];
  for (let i = 1; i <= count; i++) parts.push(syntheticIdp(i, certs));
  parts.push('</md:EntitiesDescriptor>\n');
  const text = parts.join('');
  writeFileSync(file, text);
  return Buffer.byteLength(text);
}
