// A stand-in for Jitsi's web container at the public URL: like Jitsi's nginx with our snippet
// (compose-overlay/nginx/saml2jwt.conf) it proxies /saml2jwt/ to the SP, forwarding Host,
// X-Forwarded-Proto and X-Forwarded-For; any other path is "the meeting page".
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { TlsPair } from './tls';

export interface PublicSite {
  /** Every request target this server received, in order: what a server (and its log) sees. */
  requests: string[];
  close(): Promise<void>;
}

export function startPublicSite(tls: TlsPair, port: number, spPort: number): Promise<PublicSite> {
  const requests: string[] = [];
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const url = req.url ?? '/';
    requests.push(url);
    if (url.startsWith('/saml2jwt/')) {
      const headers = { ...req.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': req.socket.remoteAddress ?? '' };
      const upstream = httpRequest({ host: '127.0.0.1', port: spPort, method: req.method, path: url, headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      // An upstream that fails mid-answer cuts the client off, as nginx does (no end() while piping).
      upstream.on('error', () => {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end('bad gateway');
      });
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>meeting</title><h1 id="meeting">Jitsi Meet stand-in</h1>');
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
