// HTTP for the chain bench, without a browser: each public origin of the stack (the meeting
// host, the IdP) is mapped to a port on 127.0.0.1, so no request can leave the machine. Cookies
// go through a CookieJar; redirects are the caller's to follow.
import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CookieJar } from './cookie-jar';

/** One public origin and the loopback port that serves it. */
export interface Hop {
  /** As links and redirects name it, e.g. https://idp.example.test:8443 */
  origin: string;
  port: number;
  /** TLS to the port, verified against `ca` for the public host name; plain HTTP without. */
  tls?: { ca: string };
  /** Headers this hop adds to every request (those Jitsi's nginx sets on its way to the SP). */
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  /** The Location header, resolved against the request URL. */
  location?: URL;
  headers: IncomingHttpHeaders;
  body: string;
  /** From the request's start to its last byte. */
  ms: number;
}

export interface SendOptions {
  jar: CookieJar;
  /** A urlencoded form; sent with POST. */
  form?: string;
  /** A keep-alive agent (as a browser keeps its connection to the IdP), or undefined for a connection of its own. */
  agent?: Agent;
  timeoutMs?: number;
}

export class LoopbackNet {
  private readonly hops: Map<string, Hop>;

  constructor(hops: readonly Hop[]) {
    this.hops = new Map(hops.map((h) => [new URL(h.origin).origin, h]));
  }

  hopOf(url: URL): Hop {
    const hop = this.hops.get(url.origin);
    if (!hop) throw new Error(`bench: no loopback hop for ${url.origin} (refusing to send traffic anywhere else)`);
    return hop;
  }

  send(url: URL, options: SendOptions): Promise<Reply> {
    const hop = this.hopOf(url);
    const method = options.form === undefined ? 'GET' : 'POST';
    const headers: Record<string, string> = { host: url.host, 'user-agent': 'saml2jwt-bench-chain', ...hop.headers };
    const cookie = options.jar.header(url);
    if (cookie !== undefined) headers.cookie = cookie;
    if (options.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(options.form));
    }
    const started = performance.now();
    const common = { host: '127.0.0.1', port: hop.port, method, path: url.pathname + url.search, headers, agent: options.agent ?? false, timeout: options.timeoutMs ?? 15000 };
    return new Promise((resolve, reject) => {
      const req = hop.tls
        ? httpsRequest({ ...common, servername: url.hostname, ca: hop.tls.ca }, onResponse)
        : httpRequest(common, onResponse);
      function onResponse(res: import('node:http').IncomingMessage): void {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          options.jar.store(url, res.headers['set-cookie']);
          const location = res.headers.location;
          resolve({
            status: res.statusCode ?? 0,
            location: location === undefined ? undefined : new URL(location, url),
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          });
        });
      }
      req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url.pathname}`)));
      req.on('error', reject);
      req.end(options.form);
    });
  }
}
