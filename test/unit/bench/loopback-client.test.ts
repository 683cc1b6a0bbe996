import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CookieJar } from '../../../bench/chain/cookie-jar';
import { LoopbackNet } from '../../../bench/chain/loopback-client';

describe('bench/chain/loopback-client: public origins served on 127.0.0.1', () => {
  let server: Server;
  let port: number;
  const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders; body: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(302, { location: '/next?x=1', 'set-cookie': ['s=1; path=/saml2jwt'] });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  it('sends to the mapped port with the hop\'s headers and the jar\'s cookies; resolves Location and stores Set-Cookie', async () => {
    const net = new LoopbackNet([{ origin: 'https://meet.example.test:8443', port, headers: { 'x-forwarded-proto': 'https' } }]);
    const jar = new CookieJar();
    const first = await net.send(new URL('https://meet.example.test:8443/saml2jwt/a?b=c'), { jar, form: 'u=1&p=2' });
    expect(first.status).to.equal(302);
    expect(first.location?.href).to.equal('https://meet.example.test:8443/next?x=1');
    await net.send(new URL('https://meet.example.test:8443/saml2jwt/b'), { jar });
    const [post, get] = seen.slice(-2);
    expect(post).to.deep.include({ method: 'POST', url: '/saml2jwt/a?b=c', body: 'u=1&p=2' });
    expect(post?.headers).to.include({ host: 'meet.example.test:8443', 'x-forwarded-proto': 'https', 'content-type': 'application/x-www-form-urlencoded' });
    expect(post?.headers.cookie).to.equal(undefined);
    expect(get).to.deep.include({ method: 'GET', url: '/saml2jwt/b' });
    expect(get?.headers.cookie).to.equal('s=1');
  });

  it('refuses any origin it has no hop for, so no request leaves the machine', () => {
    const net = new LoopbackNet([{ origin: 'https://meet.example.test:8443', port }]);
    expect(() => net.send(new URL('https://meet.example.test:9999/'), { jar: new CookieJar() })).to.throw(/no loopback hop/);
    expect(() => net.send(new URL('https://example.org/'), { jar: new CookieJar() })).to.throw(/no loopback hop/);
  });
});
