// Certificates for metadata servers: a CA of our own (what METADATA_TLS_CA names), server
// certificates it issues for given names, and self-signed ones that no CA vouches for.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsPair } from './tls';

export interface Ca {
  certFile: string;
  keyFile: string;
}

const openssl = (args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });

export function makeCa(dir: string, name: string): Ca {
  const ca = { certFile: join(dir, `${name}-ca-cert.pem`), keyFile: join(dir, `${name}-ca-key.pem`) };
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name} CA`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', ca.keyFile, '-out', ca.certFile]);
  return ca;
}

/** A server certificate issued by `ca` (or self-signed when `ca` is undefined) for `names` (DNS:…, IP:…). */
export function serverCertificate(dir: string, name: string, names: string[], ca?: Ca): TlsPair {
  const keyFile = join(dir, `${name}-key.pem`);
  const certFile = join(dir, `${name}-cert.pem`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${names.join(',')}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`);
  if (ca) {
    const csr = join(dir, `${name}.csr`);
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', csr]);
    openssl(['x509', '-req', '-days', '2', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-extfile', ext, '-out', certFile]);
  } else {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
      '-addext', `subjectAltName=${names.join(',')}`, '-keyout', keyFile, '-out', certFile]);
  }
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
