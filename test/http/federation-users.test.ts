// Issue 20 §4: users as a federation describes them. A REFEDS Pseudonymous Access IdP releases a
// pairwise id and eduPersonAssurance but no mail and no name: such a user gets a token Prosody
// accepts (no `email`, a neutral name), and the operator's policy may still require a mail or an
// assurance level per tenant.
import { expect } from 'chai';
import { clientTokenOf } from '../support/jitsi-client';
import { prosodyAccepts } from '../support/prosody-verifier';
import { get, prosodyFor, spHeaders, startTestSidecar, TEST_PROXY_SECRET, writePolicy, type TestSidecar } from '../support/test-sidecar';

const MEDIUM = 'https://refeds.org/assurance/IAP/medium';

/** Headers our SP sends for a pseudonymous user: no mail, no name. */
const pseudonymous = (extra: Record<string, string> = {}): Record<string, string> => ({
  'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET,
  'pairwise-id': 'k3j2h1x9@uni.example',
  'shib-identity-provider': 'https://idp.uni.example/idp/shibboleth',
  ...extra,
});

/** context.user of the token in a redirect, once Prosody has accepted it for room `seminar`. */
function userIn(res: Response, t: TestSidecar): Record<string, unknown> {
  const verdict = prosodyAccepts(clientTokenOf(res.headers.get('location')), prosodyFor(t, 'seminar'));
  if (!verdict.ok) throw new Error(`Prosody refuses the token: ${verdict.reason}`);
  return (verdict.claims.context as { user: Record<string, unknown> }).user;
}

describe('http: users the federation describes (no mail, assurance)', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({
      AVATAR: 'gravatar',
      POLICY_FILE: writePolicy(
        ['rules:', '  - { name: acme needs a mail, tenant: acme, require: [mail] }', `  - { name: lab needs medium, tenant: lab, require: [{ attribute: assurance, equals: "${MEDIUM}" }] }`, ''].join('\n'),
      ),
    });
  });
  after(() => t.stop());

  it('a pseudonymous user gets a token Prosody accepts: the pairwise id, "Guest <hash>", no email and no avatar', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Seminar`, pseudonymous());
    expect(res.status).to.equal(302);
    const user = userIn(res, t);
    expect(user).to.have.keys('id', 'name');
    expect(user.id).to.equal('k3j2h1x9@uni.example');
    expect(user.name).to.match(/^Guest [0-9a-f]{6}$/);
  });

  it('"givenName sn" names a user without displayName', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Seminar`, pseudonymous({ givenname: 'Ada', sn: 'Lovelace' }));
    const user = userIn(res, t);
    expect(user.name).to.equal('Ada Lovelace');
  });

  it('a tenant whose policy requires a mail refuses them (403 policy_denied, the reason names mail); with a mail they get in', async () => {
    const refused = await get(`${t.front}/redirectWithToken?room=Seminar&tenant=acme`, pseudonymous());
    expect(refused.status).to.equal(403);
    const page = await refused.text();
    expect(page).to.include('policy_denied');
    expect(page).to.include('(mail)');
    const withMail = await get(`${t.front}/redirectWithToken?room=Seminar&tenant=acme`, spHeaders({ mail: 'ada@uni.example' }));
    expect(withMail.status).to.equal(302);
  });

  it('a tenant that requires an assurance level takes the value our SP passes in the assurance header', async () => {
    expect((await get(`${t.front}/redirectWithToken?room=Lab&tenant=lab`, pseudonymous())).status).to.equal(403);
    expect((await get(`${t.front}/redirectWithToken?room=Lab&tenant=lab`, pseudonymous({ assurance: 'https://refeds.org/assurance/IAP/low' }))).status).to.equal(403);
    const ok = await get(`${t.front}/redirectWithToken?room=Lab&tenant=lab`, pseudonymous({ assurance: `https://refeds.org/assurance;${MEDIUM}` }));
    expect(ok.status).to.equal(302);
    expect(prosodyAccepts(clientTokenOf(ok.headers.get('location')), prosodyFor(t, 'lab', 'lab')).ok).to.equal(true);
  });
});
