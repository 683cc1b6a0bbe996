// The SP's metadata as a federation registrar takes it: one md:EntityDescriptor with MDUI,
// the organisation, contacts, every current certificate, the SAML 2 endpoints and the
// attributes the sidecar reads (shared/FEDERATION.md). Shibboleth's own /Shibboleth.sso/Metadata
// is "NOT to supply other systems with production metadata" and carries none of this.
// The output is deterministic (no timestamps): doctor compares the served copy with the file.
import { X509Certificate } from 'node:crypto';
import { ATTRIBUTE_NAMES, SAML_ATTRIBUTES, type AttributeName } from '../../sidecar/src/identity/attributes';
import type { Contact, ContactRole, Localized, SpInfo } from './sp-info';

export interface SpMetadataInput {
  entityId: string;
  /** Shibboleth's handler URL as the browser and the IdP see it: `<base>/saml2jwt/Shibboleth.sso`. */
  handlerUrl: string;
  /** Every certificate the SP holds now (PEM), the signing one first: during a key rollover, two. */
  certificates: readonly string[];
  info: SpInfo;
}

const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  remd: 'http://refeds.org/metadata',
};
const URI_FORMAT = 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri';
const SECURITY_CONTACT = 'http://refeds.org/metadata/contactType/security';
const SIRTFI = 'https://refeds.org/sirtfi';
// The algorithms Shibboleth SP 3's own generator advertises, GCM first, so an IdP encrypts with GCM.
const ENCRYPTION_METHODS = [
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2009/xmlenc11#aes192-gcm',
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes192-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
  'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
];

/** XML text and attribute values, escaped. */
function x(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

function localized(element: string, texts: Localized, indent: string): string[] {
  return Object.entries(texts).map(([lang, text]) => `${indent}<${element} xml:lang="${x(lang)}">${x(text)}</${element}>`);
}

/** The base64 body of a PEM certificate, after checking it is one. */
function certificateBody(pem: string): string {
  new X509Certificate(pem); // throws on anything that is not a certificate
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

/** The attributes to request: all the sidecar reads, required only where the token needs it. */
function requestedAttributes(info: SpInfo): { name: AttributeName; samlName: string; required: boolean }[] {
  return ATTRIBUTE_NAMES.flatMap((name) => {
    const { samlName } = SAML_ATTRIBUTES[name];
    if (samlName === undefined) return [];
    // A token needs one user id, any of several: only an id the SP declares it needs is required.
    return [{ name, samlName, required: info.subjectIdReq === name }];
  });
}

function contactPerson(role: ContactRole, contact: Contact): string[] {
  const type = role === 'security' ? `contactType="other" remd:contactType="${SECURITY_CONTACT}"` : `contactType="${role}"`;
  const lines = [`  <md:ContactPerson ${type}>`];
  if (contact.givenName !== undefined) lines.push(`    <md:GivenName>${x(contact.givenName)}</md:GivenName>`);
  if (contact.surName !== undefined) lines.push(`    <md:SurName>${x(contact.surName)}</md:SurName>`);
  lines.push(`    <md:EmailAddress>mailto:${x(contact.email)}</md:EmailAddress>`, '  </md:ContactPerson>');
  return lines;
}

function entityAttribute(name: string, values: readonly string[]): string[] {
  return [
    `      <saml:Attribute Name="${x(name)}" NameFormat="${URI_FORMAT}">`,
    ...values.map((v) => `        <saml:AttributeValue>${x(v)}</saml:AttributeValue>`),
    '      </saml:Attribute>',
  ];
}

export function spMetadataXml({ entityId, handlerUrl, certificates, info }: SpMetadataInput): string {
  if (certificates.length === 0) throw new Error('the SP metadata needs at least one certificate');
  const lines: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" xmlns:mdui="${NS.mdui}" xmlns:mdattr="${NS.mdattr}" xmlns:saml="${NS.saml}" xmlns:remd="${NS.remd}" entityID="${x(entityId)}">`,
  ];
  const entityAttributes: string[] = [];
  if (info.entityCategories.length > 0) entityAttributes.push(...entityAttribute('http://macedir.org/entity-category', info.entityCategories));
  if (info.sirtfi) entityAttributes.push(...entityAttribute('urn:oasis:names:tc:SAML:attribute:assurance-certification', [SIRTFI]));
  if (info.subjectIdReq !== undefined) entityAttributes.push(...entityAttribute('urn:oasis:names:tc:SAML:profiles:subject-id:req', [info.subjectIdReq]));
  if (entityAttributes.length > 0) lines.push('  <md:Extensions>', '    <mdattr:EntityAttributes>', ...entityAttributes, '    </mdattr:EntityAttributes>', '  </md:Extensions>');

  lines.push('  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">', '    <md:Extensions>', '      <mdui:UIInfo>');
  lines.push(...localized('mdui:DisplayName', info.displayName, '        '), ...localized('mdui:Description', info.description, '        '));
  if (info.logo) lines.push(`        <mdui:Logo height="${info.logo.height}" width="${info.logo.width}">${x(info.logo.url)}</mdui:Logo>`);
  lines.push(...localized('mdui:InformationURL', info.informationURL, '        '), ...localized('mdui:PrivacyStatementURL', info.privacyStatementURL, '        '));
  lines.push('      </mdui:UIInfo>', '    </md:Extensions>');
  // No `use`: every key both signs and decrypts, so an IdP may encrypt for any (rollover, FEDERATION.md).
  for (const pem of certificates) {
    lines.push('    <md:KeyDescriptor>', '      <ds:KeyInfo>', '        <ds:X509Data>', `          <ds:X509Certificate>${certificateBody(pem)}</ds:X509Certificate>`, '        </ds:X509Data>', '      </ds:KeyInfo>');
    lines.push(...ENCRYPTION_METHODS.map((algorithm) => `      <md:EncryptionMethod Algorithm="${algorithm}"/>`), '    </md:KeyDescriptor>');
  }
  lines.push(
    `    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${x(handlerUrl)}/SLO/Redirect"/>`,
    `    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${x(handlerUrl)}/SLO/POST"/>`,
    `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${x(handlerUrl)}/SAML2/POST" index="1" isDefault="true"/>`,
    '    <md:AttributeConsumingService index="1">',
    ...localized('md:ServiceName', info.displayName, '      '),
    ...localized('md:ServiceDescription', info.description, '      '),
  );
  for (const a of requestedAttributes(info)) {
    lines.push(`      <md:RequestedAttribute FriendlyName="${a.name}" Name="${a.samlName}" NameFormat="${URI_FORMAT}" isRequired="${a.required}"/>`);
  }
  lines.push('    </md:AttributeConsumingService>', '  </md:SPSSODescriptor>', '  <md:Organization>');
  const { organization } = info;
  lines.push(...localized('md:OrganizationName', organization.name, '    '), ...localized('md:OrganizationDisplayName', organization.displayName, '    '), ...localized('md:OrganizationURL', organization.url, '    '));
  lines.push('  </md:Organization>');
  for (const role of ['technical', 'support', 'administrative', 'security'] as const) {
    const contact = info.contacts[role];
    if (contact) lines.push(...contactPerson(role, contact));
  }
  lines.push('</md:EntityDescriptor>', '');
  return lines.join('\n');
}
