// What browsers see besides the redirect: error pages, the iframe escape page, AUTH_ERROR_PAGE,
// and policy decisions.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { prosodyAccepts } from '../support/prosody-verifier';
import { containsToken, get, jitsiState, spHeaders, startTestSidecar, TEST_APP_SECRET, wholeResponse, writePolicy, type TestSidecar } from '../support/test-sidecar';
import { clientTokenOf } from '../support/jitsi-client';

const enc = encodeURIComponent;

const POLICY = `
rules:
  - name: no guests from the partner
    match:
      - { idp: "https://idp.partner.example/idp/shibboleth" }
      - { attribute: mail, regex: '.*@partner\\.example' }
    allow: false
    reason: "Partner accounts <b>may not</b> join & that's final"
  - name: staff are moderators
    match:
      - { attribute: affiliation, equals: staff@uni.example }
    affiliation: owner
    moderator: true
    features: { livestreaming: true }
`;

function claimsOf(location: string, room: string): Record<string, unknown> {
  const token = clientTokenOf(location);
  const verdict = prosodyAccepts(token, {
    secret: TEST_APP_SECRET,
    acceptedIssuers: ['saml2jwt-test'],
    acceptedAudiences: ['saml2jwt-test'],
    room,
    xmppDomain: 'meet.jitsi',
    domainVerification: true,
  });
  if (!verdict.ok) throw new Error(verdict.reason);
  return verdict.claims;
}

describe('http: pages and policy', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ POLICY_FILE: writePolicy(POLICY) });
  });
  after(() => t.stop());

  describe('error page', () => {
    it('escapes everything it shows and allows no script', async () => {
      const name = enc('<script>alert(1)</script>');
      const res = await get(`${t.front}/redirectWithToken?room=a&${name}=1&${name}=2`, spHeaders());
      expect(res.status).to.equal(400);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.headers.get('content-security-policy')).to.equal("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
      const body = await res.text();
      expect(body).to.not.include('<script');
      // The refusal's own message (naming the parameter) is for logs and the API: the page says it
      // in the reader's words, with the reason code.
      expect(body).to.not.include('alert(1)');
      expect(body).to.include('<code>duplicate_parameter</code>');
    });

    it('turns a bug of ours into a generic 500: no message, no stack, one log line', async () => {
      const broken = await startTestSidecar({}, ({ cfg }) => ({
        cfg,
        policy: {
          grantsLobbyBypass: false,
          namesModerators: false,
          namesVisitors: false,
          makesNamesReadonly: false,
          warnings: [],
          decide() {
            throw new Error('internal detail /srv/app/policy.ts:42');
          },
        },
      }));
      try {
        const res = await get(`${broken.front}/redirectWithToken?room=a`, spHeaders());
        expect(res.status).to.equal(500);
        const body = await res.text();
        expect(body).to.include('Something went wrong');
        expect(body).to.not.include('internal detail');
        expect(body).to.not.match(/\.ts:\d+/);
        expect(broken.logs.filter((l) => l.level === 50)).to.have.length(1);
        expect(broken.logs.filter((l) => l.event === 'token_refused')).to.have.length(1);
      } finally {
        await broken.stop();
      }
    });
  });

  describe('policy', () => {
    it('refuses a denied identity with 403 and the escaped reason on the page', async () => {
      const res = await get(`${t.front}/redirectWithToken?room=a`, spHeaders({ mail: 'eve@partner.example', idp: 'https://idp.partner.example/idp/shibboleth' }));
      expect(res.status).to.equal(403);
      const whole = await wholeResponse(res);
      expect(whole).to.include('Partner accounts &lt;b&gt;may not&lt;/b&gt; join &amp; that&#39;s final');
      expect(whole).to.include('policy_denied');
      expect(containsToken(whole)).to.equal(false);
      expect(t.logs.at(-1)).to.include({ event: 'token_refused', reason: 'policy_denied', status: 403, userId: 'eve@partner.example' });
    });

    it('takes roles from the policy, never from the query string', async () => {
      let res = await get(`${t.front}/redirectWithToken?room=a&affiliation=owner&moderator=true`, spHeaders({ mail: 'stu@uni.example', affiliation: 'student@uni.example' }));
      let user = (claimsOf(res.headers.get('location') as string, 'a').context as { user: Record<string, unknown> }).user;
      expect(user).to.not.have.property('affiliation');
      expect(user).to.not.have.property('moderator');

      res = await get(`${t.front}/redirectWithToken?room=a`, spHeaders({ mail: 'prof@uni.example', affiliation: 'member@uni.example;staff@uni.example' }));
      const context = claimsOf(res.headers.get('location') as string, 'a').context as { user: Record<string, unknown>; features: Record<string, unknown> };
      user = context.user;
      expect(user).to.include({ affiliation: 'owner', moderator: true });
      expect(context.features).to.include({ livestreaming: true, recording: true });
    });
  });

  describe('GET /redirectWithTokenEscape', () => {
    it('sends the top window to ./redirectWithToken with the validated parameters, reflecting nothing', async () => {
      const room = '<img src=x onerror=alert(1)>';
      const state = jitsiState({ room, tenant: 'acme', 'config.prejoinConfig.enabled': false, 'config.startWithAudioMuted': true, 'config.subject': '</script><script>alert(2)</script>', 'bogus.key': 1 });
      const res = await get(`${t.front}/saml2jwt/redirectWithTokenEscape?state=${state}&jitsi_meet_external_api_id=7&extra=%3Cb%3E`);
      expect(res.status).to.equal(200);
      const csp = res.headers.get('content-security-policy') as string;
      expect(csp).to.match(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
      expect(csp).to.not.include('unsafe-inline\'; script');
      const body = await res.text();
      expect(body).to.not.include('<img');
      expect(body).to.not.include('alert(2)</script>');
      expect(body).to.not.include('<b>');
      expect(body.match(/<script/g)).to.have.length(2);

      // The one executable script is the one the CSP hash allows.
      const scripts = [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
      expect(scripts).to.have.length(1);
      const hash = createHash('sha256').update(scripts[0] as string).digest('base64');
      expect(csp).to.include(`'sha256-${hash}'`);

      const json = /<script type="application\/json" id="target">([\s\S]*?)<\/script>/.exec(body)?.[1] as string;
      const target = JSON.parse(json) as string;
      expect(target.startsWith('./redirectWithToken?')).to.equal(true);
      const params = new URL(target, 'https://meet.example.org/saml2jwt/redirectWithTokenEscape').searchParams;
      expect(params.get('room')).to.equal(room);
      expect(params.get('tenant')).to.equal('acme');
      expect(params.get('jitsi_meet_external_api_id')).to.equal('7');
      expect(params.has('extra')).to.equal(false);
      // Only the harmless overrides travel on (the subject text is dropped, see "No silent join").
      expect(JSON.parse(params.get('state') as string)).to.deep.equal({ room, tenant: 'acme', 'config.prejoinConfig.enabled': false, 'config.startWithAudioMuted': true });
      const link = /<a class="button primary" href="([^"]*)" target="_top"/.exec(body)?.[1] as string;
      expect(link.replace(/&amp;/g, '&')).to.equal(target);
    });

    it('round-trips: the target it builds is accepted by /redirectWithToken', async () => {
      const res = await get(`${t.front}/redirectWithTokenEscape?room=${enc('Räum 1')}&tenant=acme`);
      const json = /<script type="application\/json" id="target">([\s\S]*?)<\/script>/.exec(await res.text())?.[1] as string;
      const target = (JSON.parse(json) as string).slice(1); // "./x" -> "/x"
      const follow = await get(`${t.front}${target}`, spHeaders());
      expect(follow.status).to.equal(302);
      expect(new URL(follow.headers.get('location') as string).pathname).to.equal('/acme/R%C3%A4um%201');
    });
  });
});

describe('http: AUTH_ERROR_PAGE', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ AUTH_ERROR_PAGE: 'static/error.html', POLICY_FILE: writePolicy(POLICY) });
  });
  after(() => t.stop());

  it('redirects a refused browser to the error page with domain, tenant, room and reason', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=${enc('Röom')}&tenant=acme`, spHeaders({ mail: 'eve@partner.example', idp: 'https://idp.partner.example/idp/shibboleth' }));
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location') as string);
    expect(location.origin + location.pathname).to.equal('https://meet.example.org/static/error.html');
    expect(Object.fromEntries(location.searchParams)).to.deep.equal({ domain: 'meet.example.org', tenant: 'acme', room: 'Röom', reason: 'policy_denied' });
    expect(containsToken(await wholeResponse(res))).to.equal(false);
  });

  it('does not echo values that failed validation', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=*&tenant=acme`, spHeaders());
    const location = new URL(res.headers.get('location') as string);
    expect(location.searchParams.get('reason')).to.equal('invalid_room');
    expect(location.searchParams.has('room')).to.equal(false);
  });

  it('keeps an untrusted request a plain 401', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=a`, { mail: 'x@uni.example' });
    expect(res.status).to.equal(401);
    expect(res.headers.get('location')).to.equal(null);
  });
});
