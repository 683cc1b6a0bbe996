// Serves SAML metadata documents to shibd over plain HTTP on 127.0.0.1 (config checks).
import { createServer } from 'node:http';
import { samlTime } from './federation-signer';
import { closeServer, listenOnLoopback } from './ports';

export interface MetadataServer {
  url(path: string): string;
  set(path: string, body: string): void;
  close(): Promise<void>;
}

export async function startMetadataServer(): Promise<MetadataServer> {
  const documents = new Map<string, string>();
  const server = createServer((req, res) => {
    const body = documents.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body);
  });
  const port = await listenOnLoopback(server);
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, body) => void documents.set(path, body),
    close: () => closeServer(server),
  };
}

/** One made-up IdP's EntityDescriptor, with its own namespace declarations (a document root or not). */
export function idpEntityDescriptor(entityId: string, certPem: string): string {
  const cert = certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#"
      xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" entityID="${entityId}">
    <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
      <md:Extensions><shibmd:Scope regexp="false">example.test</shibmd:Scope></md:Extensions>
      <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
      <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>
    </md:IDPSSODescriptor>
  </md:EntityDescriptor>`;
}

/** Metadata of one made-up IdP (an aggregate of one); `validUntil` on the root when given. */
export function idpMetadata(entityId: string, certPem: string, options: { id?: string; validUntil?: Date } = {}): string {
  const attrs = [
    options.id ? ` ID="${options.id}"` : '',
    options.validUntil ? ` validUntil="${samlTime(options.validUntil)}"` : '',
  ].join('');
  return `<?xml version="1.0"?>
<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"${attrs} Name="urn:example:test-federation">
  ${idpEntityDescriptor(entityId, certPem)}
</md:EntitiesDescriptor>
`;
}
