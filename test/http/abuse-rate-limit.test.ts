// The backend budget per API key, apart from the one per client address (backend.test.ts covers
// one address). Linux routes all of 127.0.0.0/8 to loopback, so distinct source addresses on this
// machine act as distinct clients.
import { expect } from 'chai';
import { request } from 'node:http';
import { startTestSidecar, TEST_API_KEY, type TestSidecar } from '../support/test-sidecar';

function getFrom(localAddress: string, port: number, path: string, key: string): Promise<{ status: number; retryAfter?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, agent: false, headers: { authorization: `Bearer ${key}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers['retry-after'] ? { retryAfter: res.headers['retry-after'] } : {}) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http: backend rate limit per key and per address', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ BACKEND_RATE_LIMIT: '4' });
  });
  after(() => t.stop());

  it('spends one budget for the key across addresses, and a separate one per address', async () => {
    const port = t.server.backend.port;
    const mint = '/getToken?mail=a@uni.example&room=r';
    const wrong = 'f'.repeat(64);
    // Four addresses share the key's budget of 4: the fifth keyed request is refused, from a fresh address.
    const keyed: number[] = [];
    for (const addr of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5']) keyed.push((await getFrom(addr, port, mint, TEST_API_KEY)).status);
    expect(keyed).to.deep.equal([200, 200, 200, 200]);
    const overKey = await getFrom('127.0.0.6', port, mint, TEST_API_KEY);
    expect(overKey.status).to.equal(429);
    expect(Number(overKey.retryAfter)).to.be.within(1, 60);
    expect(overKey.body).to.not.match(/eyJ/);

    // The address budget is separate: 127.0.0.7 may still try (and fail) four times with a bad key,
    // then is refused before its key is even checked.
    const guesses: number[] = [];
    for (let i = 0; i < 4; i++) guesses.push((await getFrom('127.0.0.7', port, mint, wrong)).status);
    expect(guesses).to.deep.equal([401, 401, 401, 401]);
    const overAddress = await getFrom('127.0.0.7', port, mint, wrong);
    expect(overAddress.status).to.equal(429);
    expect(overAddress.retryAfter).to.match(/^[1-9][0-9]?$/);
  });
});
