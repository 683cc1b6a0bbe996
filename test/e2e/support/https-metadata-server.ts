// One metadata document served over HTTPS on 127.0.0.1 with a given certificate, counting the
// requests, so a test can tell "refused by TLS" from "never asked".
import { createServer } from 'node:https';
import { closeServer, listenOnLoopback } from './ports';
import type { TlsPair } from './tls';

export interface HttpsMetadataServer {
  url: string;
  /** Requests that got past the TLS handshake. */
  requests: number;
  /** TLS handshakes the client broke off (it did not accept the certificate). */
  tlsErrors: number;
  close(): Promise<void>;
}

export async function startHttpsMetadataServer(tls: TlsPair, body: () => string): Promise<HttpsMetadataServer> {
  const state = { requests: 0, tlsErrors: 0 };
  const server = createServer({ key: tls.key, cert: tls.cert }, (_req, res) => {
    state.requests++;
    res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(body());
  });
  server.on('tlsClientError', () => void state.tlsErrors++);
  const port = await listenOnLoopback(server);
  return {
    url: `https://127.0.0.1:${port}/metadata.xml`,
    get requests() {
      return state.requests;
    },
    get tlsErrors() {
      return state.tlsErrors;
    },
    close: () => closeServer(server),
  };
}
