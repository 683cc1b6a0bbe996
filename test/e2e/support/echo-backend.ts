// Stands where the sidecar stands and records exactly which headers the SP's Apache sends,
// so the trust wiring is checked independently of the sidecar.
import { createServer, type IncomingHttpHeaders } from 'node:http';

export interface EchoedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

export interface EchoBackend {
  requests: EchoedRequest[];
  close(): Promise<void>;
}

export function startEchoBackend(port: number): Promise<EchoBackend> {
  const requests: EchoedRequest[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, headers: req.headers }));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        requests,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}
