// A federation's metadata signer for the tests: a key pair, and enveloped XML signatures made with
// Debian's xmlsec1 (RSA-SHA256, exclusive canonicalisation, the reference by the root's ID) over an
// EntityDescriptor (an MDQ answer) or an EntitiesDescriptor (an aggregate), as federations sign.
// xmlsec1 only makes fixtures here; shibd is what verifies them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FederationSigner {
  name: string;
  keyFile: string;
  certFile: string;
  certPem: string;
}

export function makeSigner(dir: string, name: string): FederationSigner {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30', '-subj', `/CN=${name} metadata signer`,
    '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { name, keyFile, certFile, certPem: readFileSync(certFile, 'utf8') };
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const ROOT = /<((?:[A-Za-z_][\w.-]*:)?(?:EntityDescriptor|EntitiesDescriptor))\b[^>]*>/;

/** The signature template xmlsec1 fills in; KeyInfo (the signer's certificate) is optional. */
function signatureTemplate(id: string, keyInfo: boolean): string {
  return `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>`
    + `<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>`
    + `<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>`
    + `<ds:Reference URI="#${id}"><ds:Transforms>`
    + `<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>`
    + `<ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>`
    + `<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference>`
    + `</ds:SignedInfo><ds:SignatureValue/>${keyInfo ? '<ds:KeyInfo><ds:X509Data/></ds:KeyInfo>' : ''}</ds:Signature>`;
}

/** Adds the signature template as the root's first child (where SAML metadata wants it). */
function withSignatureTemplate(xml: string, keyInfo: boolean): string {
  const root = ROOT.exec(xml);
  if (!root) throw new Error('no EntityDescriptor or EntitiesDescriptor root');
  const id = /\sID="([^"]+)"/.exec(root[0])?.[1];
  if (!id) throw new Error(`the root ${root[1]} has no ID attribute to sign`);
  const at = root.index + root[0].length;
  return xml.slice(0, at) + signatureTemplate(id, keyInfo) + xml.slice(at);
}

/** Signs `inFile` into `outFile` (large aggregates stay on disk). */
export function signMetadataFile(inFile: string, outFile: string, signer: FederationSigner, options: { keyInfo?: boolean } = {}): void {
  const template = `${inFile}.template.xml`;
  writeFileSync(template, withSignatureTemplate(readFileSync(inFile, 'utf8'), options.keyInfo ?? true));
  try {
    const key = options.keyInfo === false ? signer.keyFile : `${signer.keyFile},${signer.certFile}`;
    execFileSync('xmlsec1', ['--sign', '--privkey-pem', key,
      '--id-attr:ID', `${MD}:EntityDescriptor`, '--id-attr:ID', `${MD}:EntitiesDescriptor`,
      '--output', outFile, template], { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    rmSync(template, { force: true });
  }
}

/** `xml` with an enveloped signature over its root (which needs an ID). */
export function signMetadata(xml: string, signer: FederationSigner, options: { keyInfo?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'saml2jwt-sign-'));
  try {
    const unsigned = join(dir, 'unsigned.xml');
    const signed = join(dir, 'signed.xml');
    writeFileSync(unsigned, xml);
    signMetadataFile(unsigned, signed, signer, options);
    return readFileSync(signed, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SAML's dateTime without fractions, as metadata carries it. */
export function samlTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * An IdP's EntityDescriptor made into what an MDQ service answers: the document's root, with its
 * own ID and validUntil (any signature, ID, validUntil or cacheDuration it had is dropped).
 */
export function asMdqAnswer(entityXml: string, options: { id: string; validUntil: Date }): string {
  let xml = entityXml.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/<(ds:)?Signature\b[\s\S]*?<\/(ds:)?Signature>/, '');
  const root = ROOT.exec(xml);
  if (!root || !root[1]?.endsWith('EntityDescriptor')) throw new Error('not an EntityDescriptor');
  const start = root[0].replace(/\s(ID|validUntil|cacheDuration)="[^"]*"/g, '').replace(/\s*>$/, '');
  xml = xml.slice(0, root.index) + `${start} ID="${options.id}" validUntil="${samlTime(options.validUntil)}">` + xml.slice(root.index + root[0].length);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}
