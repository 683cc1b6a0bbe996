// What @koa/router answers for us: 404, 405 with Allow, HEAD and OPTIONS, the aliases and the
// /saml2jwt prefix; and the latency metric, labelled by the matched route's name only.
import { expect } from 'chai';
import { request } from 'node:http';
import { bearer, get, spHeaders, startTestSidecar, type TestSidecar } from '../support/test-sidecar';

/** One request with any method, without a body; answers status, headers and body. */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const allowed = (header: unknown): string[] => String(header ?? '').split(/,\s*/).filter((m) => m !== '').sort();

describe('http: routing', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar();
  });
  after(() => t.stop());

  it('answers 404 for an unknown path, on both listeners and under the prefix', async () => {
    for (const url of [`${t.front}/nope`, `${t.front}/saml2jwt/nope`, `${t.front}/saml2jwt`, `${t.backend}/nope`, `${t.front}/getToken`, `${t.backend}/redirectWithToken`]) {
      expect((await get(url)).status, url).to.equal(404);
    }
  });

  it('answers 405 with Allow for a known path and another method, even one the router does not know', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PROPFIND']) {
      const res = await send(t.front, method, '/redirectWithToken?room=a', spHeaders());
      expect(res.status, method).to.equal(405);
      expect(allowed(res.headers.allow), method).to.deep.equal(['GET', 'HEAD']);
      expect(res.headers.location, method).to.equal(undefined);
    }
    const prefixed = await send(t.front, 'POST', '/saml2jwt/generateToken?room=a', spHeaders());
    expect(prefixed.status).to.equal(405);
    const backend = await send(t.backend, 'PUT', '/getToken', bearer());
    expect(backend.status).to.equal(405);
    expect(allowed(backend.headers.allow)).to.deep.equal(['GET', 'HEAD', 'POST']);
  });

  it('answers OPTIONS with Allow', async () => {
    const res = await send(t.backend, 'OPTIONS', '/validateToken');
    expect(res.status).to.equal(200);
    expect(allowed(res.headers.allow)).to.deep.equal(['GET', 'HEAD', 'POST']);
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await send(t.front, 'HEAD', '/saml2jwt/redirectWithToken?room=head', spHeaders());
    expect(res.status).to.equal(302);
    expect(new URL(String(res.headers.location)).pathname).to.equal('/head');
    expect(res.body).to.equal('');
    const health = await send(t.front, 'HEAD', '/healthz');
    expect(health.status).to.equal(200);
    expect(health.body).to.equal('');
  });

  it('labels request latency by the matched route name: aliases and prefix share it, unmatched is "unknown"', async () => {
    const count = async (route: string): Promise<number> => {
      const text = await (await get(`${t.backend}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`saml2jwt_http_request_duration_seconds_count{route="${route}"}`));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = { token: await count('redirectWithToken'), validate: await count('validateToken'), unknown: await count('unknown') };
    await get(`${t.front}/generateToken?room=a`, spHeaders());
    await get(`${t.front}/saml2jwt/redirectWithToken?room=a`, spHeaders());
    await get(`${t.backend}/isValidToken?jwt=x`, bearer());
    await get(`${t.front}/no-such-path-123`);
    await send(t.front, 'POST', '/redirectWithToken?room=a', spHeaders());
    expect((await count('redirectWithToken')) - before.token).to.equal(2);
    expect((await count('validateToken')) - before.validate).to.equal(1);
    expect((await count('unknown')) - before.unknown).to.equal(2); // the 404 and the 405
    const text = await (await get(`${t.backend}/metrics`)).text();
    expect(text).to.not.include('no-such-path-123');
    expect(text).to.not.include('generateToken');
  });
});
