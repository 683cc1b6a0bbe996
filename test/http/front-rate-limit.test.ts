// The front's rate limit (FRONT_RATE_LIMIT, issue 19): counted per user id, never per address,
// since every user reaches the sidecar from the SP's one address (here all requests come from
// 127.0.0.1, as they would from the SP); answered like every other refusal: a page for a browser,
// oauth-error for Jitsi's login popup, with Retry-After; and no token is signed past it.
import { expect } from 'chai';
import { cspProblems, jsonBlock, scriptTagCount } from '../support/page-script';
import { containsToken, get, spHeaders, startTestSidecar, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const NONCE = '0f'.repeat(32);

async function statuses(t: TestSidecar, mail: string, n: number, query = 'room=standup'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await get(`${t.front}/redirectWithToken?${query}`, spHeaders({ mail }));
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

const issuedTo = (t: TestSidecar, userId: string): number => t.logs.filter((l) => l.event === 'token_issued' && l.userId === userId).length;

describe('http: the front rate limit, per user (FRONT_RATE_LIMIT=3)', () => {
  let t: TestSidecar;
  beforeEach(async () => {
    t = await startTestSidecar({ FRONT_RATE_LIMIT: '3' });
  });
  afterEach(() => t.stop());

  it('two users behind the one SP address each have their own budget', async () => {
    expect(await statuses(t, 'alice@uni.example', 4)).to.deep.equal([302, 302, 302, 429]);
    // Same source address as alice: bob is not refused for her requests.
    expect(await statuses(t, 'bob@uni.example', 4)).to.deep.equal([302, 302, 302, 429]);
    expect(issuedTo(t, 'alice@uni.example'), 'no token signed past the limit').to.equal(3);
    expect(issuedTo(t, 'bob@uni.example')).to.equal(3);
  });

  it('is checked before the meeting is read: past it, even a bad room is a 429', async () => {
    expect(await statuses(t, 'alice@uni.example', 3, 'room=*')).to.deep.equal([400, 400, 400]);
    expect(await statuses(t, 'alice@uni.example', 2, 'room=*')).to.deep.equal([429, 429]);
    expect(await statuses(t, 'alice@uni.example', 1)).to.deep.equal([429]);
  });

  it('a browser gets an error page with Retry-After, and the refusal is audited with the user id', async () => {
    await statuses(t, 'alice@uni.example', 3);
    const res = await get(`${t.front}/redirectWithToken?room=standup`, spHeaders({ mail: 'alice@uni.example' }));
    const whole = await wholeResponse(res.clone());
    const body = await res.text();
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
    expect(res.headers.get('retry-after')).to.match(/^[1-9][0-9]?$/);
    expect(res.headers.get('content-type')).to.match(/^text\/html/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('location')).to.equal(null);
    expect(body).to.include('Too many attempts').and.include('<code>rate_limited</code>');
    // Its way on: the same login again, once the minute is over.
    expect(body).to.include('<a class="button primary" href="/saml2jwt/redirectWithToken?room=standup" rel="noreferrer">Try again</a>');
    expect(scriptTagCount(body)).to.equal(0);
    expect(containsToken(whole)).to.equal(false);
    const refused = t.logs.filter((l) => l.event === 'token_refused');
    expect(refused.at(-1)).to.include({ endpoint: 'redirectWithToken', reason: 'rate_limited', status: 429, userId: 'alice@uni.example' });
  });

  it("Jitsi's login popup gets oauth-error with the reason, and Retry-After", async () => {
    await statuses(t, 'carol@uni.example', 3);
    const res = await get(`${t.front}/redirectWithToken?room=standup&nonce=${NONCE}`, spHeaders({ mail: 'carol@uni.example' }));
    const body = await res.text();
    expect(res.status).to.equal(429);
    expect(Number(res.headers.get('retry-after'))).to.be.within(1, 60);
    expect(jsonBlock(body, 'popup-message')).to.deep.equal({ message: { type: 'oauth-error', error: 'rate_limited' }, origin: 'https://meet.example.org', close: false });
    expect(cspProblems(body, res.headers.get('content-security-policy') ?? '')).to.deep.equal([]);
    expect(containsToken(body)).to.equal(false);
  });
});

describe('http: the front rate limit with AUTH_ERROR_PAGE', () => {
  it("a browser past the limit is sent to the operator's page with reason=rate_limited, like any refusal", async () => {
    const t = await startTestSidecar({ FRONT_RATE_LIMIT: '1', AUTH_ERROR_PAGE: 'static/error.html' });
    try {
      await statuses(t, 'alice@uni.example', 1);
      const res = await get(`${t.front}/redirectWithToken?room=standup`, spHeaders({ mail: 'alice@uni.example' }));
      expect(res.status).to.equal(302);
      const target = new URL(res.headers.get('location') ?? '');
      expect(`${target.origin}${target.pathname}`).to.equal('https://meet.example.org/static/error.html');
      expect(target.searchParams.get('reason')).to.equal('rate_limited');
      expect(containsToken(await wholeResponse(res))).to.equal(false);
    } finally {
      await t.stop();
    }
  });
});

describe('http: the front rate limit, default and off', () => {
  it('by default a user gets 120 a minute, and the 121st is a 429', async function () {
    this.timeout(20_000);
    const t = await startTestSidecar();
    try {
      const got = await statuses(t, 'alice@uni.example', 121);
      expect(got.slice(0, 120).every((s) => s === 302), 'the first 120').to.equal(true);
      expect(got[120]).to.equal(429);
    } finally {
      await t.stop();
    }
  });

  it('FRONT_RATE_LIMIT=0 turns it off', async function () {
    this.timeout(20_000);
    const t = await startTestSidecar({ FRONT_RATE_LIMIT: '0' });
    try {
      const got = await statuses(t, 'alice@uni.example', 130);
      expect(got.filter((s) => s !== 302)).to.deep.equal([]);
      expect(issuedTo(t, 'alice@uni.example')).to.equal(130);
    } finally {
      await t.stop();
    }
  });
});
