// Health, readiness, metrics and the audit trail.
import { expect } from 'chai';
import { bearer, containsToken, get, spHeaders, startTestSidecar, TEST_APP_SECRET, type TestSidecar } from '../support/test-sidecar';
import { clientTokenOf } from '../support/jitsi-client';
import { VERSION } from '../../sidecar/src/version';

function sample(metrics: string, name: string, labels: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

describe('http: operations', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar();
  });
  after(() => t.stop());

  it('/healthz and /readyz answer on both listeners', async () => {
    for (const base of [t.front, t.backend, `${t.front}/saml2jwt`]) {
      const health = await get(`${base}/healthz`);
      expect(health.status, base).to.equal(200);
      expect(await health.text()).to.equal('ok\n');
      expect((await get(`${base}/readyz`)).status, base).to.equal(200);
    }
  });

  it('/metrics is on the backend listener only', async () => {
    expect((await get(`${t.front}/metrics`)).status).to.equal(404);
    expect((await get(`${t.front}/saml2jwt/metrics`)).status).to.equal(404);
  });

  it('counts issued and refused tokens and observes latency per route', async () => {
    const read = async (): Promise<string> => (await get(`${t.backend}/metrics`)).text();
    const before = await read();
    await get(`${t.front}/redirectWithToken?room=m1`, spHeaders());
    await get(`${t.front}/redirectWithToken?room=m2`, spHeaders());
    await get(`${t.front}/redirectWithToken?room=*`, spHeaders());
    await get(`${t.backend}/getToken?mail=a@uni.example&room=m3`, bearer());
    const after = await read();
    const delta = (name: string, labels: string): number => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('saml2jwt_tokens_issued_total', 'endpoint="redirectWithToken"')).to.equal(2);
    expect(delta('saml2jwt_tokens_issued_total', 'endpoint="getToken"')).to.equal(1);
    expect(delta('saml2jwt_tokens_refused_total', 'endpoint="redirectWithToken",reason="invalid_room"')).to.equal(1);
    expect(delta('saml2jwt_http_request_duration_seconds_count', 'route="redirectWithToken"')).to.equal(3);
  });

  it('the latency histogram resolves what a token takes: bounds at most 0.25 ms apart up to 1 ms, 1 ms apart up to 5 ms', async () => {
    await get(`${t.front}/redirectWithToken?room=m0`, spHeaders());
    const metrics = await (await get(`${t.backend}/metrics`)).text();
    const bounds = [...metrics.matchAll(/^saml2jwt_http_request_duration_seconds_bucket\{le="([0-9.e-]+)",route="redirectWithToken"\}/gm)].map((m) => Number(m[1]) * 1000);
    expect(bounds).to.include.members([0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 1000, 2500]); // the earlier bounds stay
    let previous = 0;
    for (const bound of bounds.filter((b) => b <= 5)) {
      expect(bound - previous, `step to ${bound} ms`).to.be.at.most(previous < 1 ? 0.25 : 1);
      previous = bound;
    }
    expect(previous).to.equal(5);
  });

  it('writes exactly one audit line per token issued, naming user, room, tenant, exp and jti, never the token', async () => {
    const from = t.logs.length;
    const res = await get(`${t.front}/redirectWithToken?room=Audit&tenant=acme`, spHeaders({ eppn: 'alice-eppn@uni.example' }));
    const token = clientTokenOf(res.headers.get('location'));
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { jti: string; exp: number };
    const lines = t.logs.slice(from);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ event: 'token_issued', endpoint: 'redirectWithToken', userId: 'alice-eppn@uni.example', room: 'audit', tenant: 'acme', exp: claims.exp, jti: claims.jti, status: 302 });
    expect(t.rawLogs.some((l) => l.includes(token) || containsToken(l))).to.equal(false);
    expect(t.rawLogs.some((l) => l.includes(TEST_APP_SECRET) || l.includes(t.cfg.identity.proxySecret))).to.equal(false);
  });

  it('reports not ready while draining, and stops accepting', async () => {
    const d = await startTestSidecar();
    const agentless = await get(`${d.front}/readyz`);
    expect(agentless.status).to.equal(200);
    d.server.deps.readiness.draining = true;
    const draining = await get(`${d.backend}/readyz`);
    expect(draining.status).to.equal(503);
    expect(draining.headers.get('connection')).to.equal('close');
    await d.stop();
    let refused = false;
    await get(`${d.front}/healthz`).catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
  });
});

describe('http: the release, where monitoring looks', () => {
  it('the backend\'s /healthz names the version in X-Saml2jwt-Version; the front\'s does not tell strangers', async () => {
    const t = await startTestSidecar();
    try {
      const backend = await get(`${t.backend}/healthz`);
      expect(backend.status).to.equal(200);
      expect(backend.headers.get('x-saml2jwt-version')).to.equal(VERSION);
      const front = await get(`${t.front}/healthz`);
      expect(front.status).to.equal(200);
      expect(front.headers.get('x-saml2jwt-version')).to.equal(null);
    } finally {
      await t.stop();
    }
  });
});
