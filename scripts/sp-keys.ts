// The SP's SAML signing/encryption key and self-signed certificate (what the IdP registers).
// The key is made with node:crypto (fast, native); the certificate with node-forge.
// Shared by `setup` and `keys`. Existing keys are never overwritten.
import { createPrivateKey, generateKeyPairSync, X509Certificate, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';

export const spKeyFile = 'sp-key.pem';
export const spCertFile = 'sp-cert.pem';
export const keyBits = 3072;
export const validityYears = 10;

export interface SpKeyPair {
  keyPem: string;
  certPem: string;
}

export interface SpCertificateFacts {
  subject: string;
  fingerprint256: string; // AA:BB:... as IdP admins compare it
  validFrom: Date;
  validTo: Date;
  keyBits: number | undefined;
  subjectAltName: string | undefined;
}

/** A fresh RSA 3072 key and a SHA-256 self-signed certificate valid 10 years for host + entityId. */
export function createSpKeyPair(host: string, entityId: string, now = new Date()): SpKeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: keyBits, publicExponent: 0x10001 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);

  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: a leading 0x00..0x7f byte keeps the DER integer unsigned.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime());
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears);
  cert.validity.notAfter = notAfter;
  const name = [{ name: 'commonName', value: host }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: host }, // dNSName
        { type: 6, value: entityId }, // uniformResourceIdentifier
      ],
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { keyPem, certPem: forge.pki.certificateToPem(cert) };
}

export function describeCertificate(certPem: string): SpCertificateFacts {
  const x509 = new X509Certificate(certPem);
  const details = x509.publicKey.asymmetricKeyDetails;
  return {
    subject: x509.subject,
    fingerprint256: x509.fingerprint256,
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    keyBits: details?.modulusLength,
    subjectAltName: x509.subjectAltName,
  };
}

export interface SpKeyFolderState {
  keyPath: string;
  certPath: string;
  keyExists: boolean;
  certExists: boolean;
}

export function spKeyFolderState(dir: string): SpKeyFolderState {
  const keyPath = path.join(dir, spKeyFile);
  const certPath = path.join(dir, spCertFile);
  return { keyPath, certPath, keyExists: fs.existsSync(keyPath), certExists: fs.existsSync(certPath) };
}

/** Checks that a certificate belongs to a private key (both PEM). */
export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}
