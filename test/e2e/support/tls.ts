import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsPair {
  key: string;
  cert: string;
}

/** A self-signed certificate for `host`, as production uses (browsers told to ignore it). */
export function selfSigned(dir: string, host: string): TlsPair {
  const keyFile = join(dir, `${host}-key.pem`);
  const certFile = join(dir, `${host}-cert.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${host}`,
    '-addext', `subjectAltName=DNS:${host}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
}
