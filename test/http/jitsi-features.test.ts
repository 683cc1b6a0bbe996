// Issue 21: what operators ask Jitsi for, as the token carries it. A moderator's token lets them
// past their own lobby without the policy asking (token_affiliation alone does not: JITSI.md), a
// visitor's token says role "visitor", and name-readonly travels as the boolean Prosody reads.
import { expect } from 'chai';
import { clientTokenOf } from '../support/jitsi-client';
import { prosodyAccepts, prosodyRole } from '../support/prosody-verifier';
import { get, prosodyFor, spHeaders, startTestSidecar, writePolicy, type TestSidecar } from '../support/test-sidecar';

const POLICY = `
defaults:
  features: { name-readonly: true }
rules:
  - name: staff moderate
    match: { attribute: affiliation, equals: staff@uni.example }
    moderator: true
  - name: tutors moderate but knock
    match: { attribute: affiliation, equals: tutor@uni.example }
    affiliation: teacher
    lobby_bypass: false
  - name: the audience watches
    match: { attribute: affiliation, in: [student@uni.example, staff@uni.example] }
    role: visitor
`;

describe('http: moderators past the lobby, visitors, read-only names (issue 21)', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ POLICY_FILE: writePolicy(POLICY) });
  });
  after(() => t.stop());

  async function userFor(affiliation: string): Promise<Record<string, unknown>> {
    const res = await get(`${t.front}/redirectWithToken?room=Lecture`, spHeaders({ affiliation, eppn: `${affiliation.split('@')[0]}@uni.example` }));
    expect(res.status).to.equal(302);
    const verdict = prosodyAccepts(clientTokenOf(res.headers.get('location')), prosodyFor(t, 'lecture'));
    if (!verdict.ok) throw new Error(verdict.reason);
    return (verdict.claims.context as { user: Record<string, unknown> }).user;
  }

  it('a moderator is owner and passes the lobby although no rule grants lobby_bypass; never a visitor', async () => {
    const user = await userFor('staff@uni.example');
    expect(prosodyRole(user)).to.deep.equal({ affiliation: 'owner', lobbyBypass: true });
    expect(user).not.to.have.property('role');
  });

  it('a moderator whose rule says lobby_bypass: false is owner and waits in the lobby', async () => {
    expect(prosodyRole(await userFor('tutor@uni.example'))).to.deep.equal({ affiliation: 'owner', lobbyBypass: false });
  });

  it('a visitor gets role "visitor", as a member', async () => {
    const user = await userFor('student@uni.example');
    expect(user.role).to.equal('visitor');
    expect(prosodyRole(user)).to.deep.equal({ affiliation: 'member', lobbyBypass: false });
  });

  it('name-readonly is the boolean true in every token (mod_muc_displayname ignores "true")', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Lecture`, spHeaders());
    const claims = JSON.parse(Buffer.from(clientTokenOf(res.headers.get('location')).split('.')[1] as string, 'base64url').toString()) as { context: { features: Record<string, unknown> } };
    expect(claims.context.features['name-readonly']).to.equal(true);
  });
});
