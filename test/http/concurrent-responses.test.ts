// Many token requests at once, over few keep-alive sockets, must each get their own answer: the
// token for their own room and user (no step's state leaks from one request into another).
import { expect } from 'chai';
import { Agent, request } from 'node:http';
import { prosodyAccepts } from '../support/prosody-verifier';
import { bearer, spHeaders, startTestSidecar, TEST_APP_SECRET, type TestSidecar } from '../support/test-sidecar';
import { clientTokenOf } from '../support/jitsi-client';

const CONCURRENT = 200;

function fetchRaw(url: string, headers: Record<string, string>, agent: Agent): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http: concurrent token responses', () => {
  let t: TestSidecar;
  // Few sockets, many requests: several requests wait on each socket.
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  before(async () => {
    t = await startTestSidecar({ BACKEND_RATE_LIMIT: '100000' }); // this test is about concurrency, not the limit
  });
  after(async () => {
    agent.destroy();
    await t.stop();
  });

  const accepts = (token: string, room: string, tenant: string) =>
    prosodyAccepts(token, {
      secret: TEST_APP_SECRET,
      acceptedIssuers: [t.cfg.jwt.appId],
      acceptedAudiences: [t.cfg.jwt.audience],
      room,
      tenant,
      xmppDomain: t.cfg.xmppDomain,
      domainVerification: true,
    });

  it(`/redirectWithToken: ${CONCURRENT} requests at once each get the token for their own room and user`, async () => {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        fetchRaw(`${t.front}/redirectWithToken?room=room-${i}&tenant=t${i % 7}`, spHeaders({ mail: `user${i}@uni.example` }), agent),
      ),
    );
    const jtis = new Set<string>();
    answers.forEach((answer, i) => {
      expect(answer.status, `request ${i}`).to.equal(302);
      const location = new URL(answer.location ?? '');
      expect(location.pathname, `request ${i}`).to.equal(`/t${i % 7}/room-${i}`);
      const verdict = accepts(clientTokenOf(location.href), `room-${i}`, `t${i % 7}`);
      if (!verdict.ok) expect.fail(`request ${i}: ${verdict.reason}`);
      const user = (verdict.claims.context as { user: { email: string } }).user;
      expect(user.email, `request ${i}`).to.equal(`user${i}@uni.example`);
      jtis.add(String(verdict.claims.jti));
    });
    expect(jtis.size).to.equal(CONCURRENT);
  });

  it(`/getToken: ${CONCURRENT} requests at once each get the token for their own room`, async () => {
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        fetchRaw(`${t.backend}/getToken?room=r${i}&tenant=acme&mail=u${i}@uni.example&name=U${i}`, bearer(), agent),
      ),
    );
    answers.forEach((answer, i) => {
      expect(answer.status, `request ${i}`).to.equal(200);
      const verdict = accepts(answer.body, `r${i}`, 'acme');
      if (!verdict.ok) expect.fail(`request ${i}: ${verdict.reason}`);
    });
  });
});
