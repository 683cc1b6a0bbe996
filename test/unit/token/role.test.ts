// Roles from policy to token, checked against token_affiliation's rule as JITSI.md states it
// ("Moderators and the lobby"), by the model in test/support/prosody-verifier.ts, independent of sidecar/src/token/role.ts.
import { expect } from 'chai';
import { parsePolicy } from '../../../sidecar/src/policy/load';
import type { Identity } from '../../../sidecar/src/identity/identity';
import type { TokenRequest } from '../../../sidecar/src/token/claims';
import { mintToken } from '../../../sidecar/src/token/mint';
import { createSigner } from '../../../sidecar/src/token/sign';
import { roleClaims } from '../../../sidecar/src/token/role';
import { prosodyAccepts, prosodyRole } from '../../support/prosody-verifier';
import { TEST_APP_SECRET, testConfig } from '../../support/config-fixture';
import { parseRoom } from '../../../sidecar/src/meeting/room';

const tokenAffiliation = (user: Record<string, unknown>): 'owner' | 'member' => prosodyRole(user).affiliation;

const cfg = testConfig();
const sign = createSigner(TEST_APP_SECRET);
const policy = parsePolicy(
  `
rules:
  - { name: staff moderate and skip the lobby, match: { attribute: affiliation, equals: staff@uni.example }, affiliation: owner, moderator: true, lobby_bypass: true }
  - { name: tutors skip the lobby, match: { attribute: affiliation, equals: tutor@uni.example }, lobby_bypass: true }
  - { name: students are members, match: { attribute: affiliation, equals: student@uni.example }, affiliation: member }
`,
  'test',
);

function person(affiliation: string): Identity {
  return { userId: `${affiliation}-id`, mail: 'x@uni.example', name: 'X', attributes: { mail: ['x@uni.example'], affiliation: [affiliation] } };
}

/** Policy decision -> token -> the user Prosody sees (after the independent verifier accepts it). */
function prosodyUser(affiliation: string): Record<string, unknown> {
  const identity = person(affiliation);
  const d = policy.decide(identity, undefined);
  const req: TokenRequest = { user: { id: identity.userId, name: identity.name, email: identity.mail }, room: parseRoom('Lecture'), features: d.features };
  if (d.affiliation !== undefined) req.user.affiliation = d.affiliation;
  if (d.moderator !== undefined) req.user.moderator = d.moderator;
  if (d.lobbyBypass === true) req.user.lobby_bypass = true;
  const { token } = mintToken(req, cfg, sign);
  const v = prosodyAccepts(token, {
    secret: TEST_APP_SECRET,
    acceptedIssuers: [cfg.jwt.appId],
    acceptedAudiences: [cfg.jwt.audience],
    room: 'lecture',
    xmppDomain: cfg.xmppDomain,
    domainVerification: true,
  });
  if (!v.ok) throw new Error(`Prosody model refused: ${v.reason}`);
  return (v.claims.context as { user: Record<string, unknown> }).user;
}

describe('token/role: moderator, member and lobby bypass in the token', () => {
  it('a moderator: affiliation "owner", moderator true, lobby_bypass true; token_affiliation makes them owner', () => {
    const user = prosodyUser('staff@uni.example');
    expect(user).to.include({ affiliation: 'owner', moderator: true, lobby_bypass: true });
    expect(prosodyRole(user)).to.deep.equal({ affiliation: 'owner', lobbyBypass: true });
  });

  it('a member: neither affiliation nor moderator nor lobby_bypass (never false or null)', () => {
    const user = prosodyUser('student@uni.example');
    expect(user).to.not.have.any.keys('affiliation', 'moderator', 'lobby_bypass');
    expect(tokenAffiliation(user)).to.equal('member');
  });

  it('a lobby-bypass user who is not a moderator: lobby_bypass true and no role fields', () => {
    const user = prosodyUser('tutor@uni.example');
    expect(user.lobby_bypass).to.equal(true);
    expect(user).to.not.have.any.keys('affiliation', 'moderator');
    expect(prosodyRole(user)).to.deep.equal({ affiliation: 'member', lobbyBypass: true });
  });

  it('someone no rule names: no role fields at all', () => {
    expect(prosodyUser('alum@uni.example')).to.not.have.any.keys('affiliation', 'moderator', 'lobby_bypass');
  });

  it('roleClaims follows token_affiliation for every input the policy or a backend may give', () => {
    const cases: Array<[{ affiliation?: string; moderator?: boolean }, boolean]> = [
      [{}, false],
      [{ affiliation: 'owner' }, true],
      [{ affiliation: 'moderator' }, true],
      [{ affiliation: 'teacher' }, true],
      [{ affiliation: 'member' }, false],
      [{ affiliation: 'student' }, false],
      [{ moderator: true }, true],
      [{ moderator: false }, false],
      [{ affiliation: 'member', moderator: true }, true],
      [{ affiliation: 'owner', moderator: false }, true],
    ];
    for (const [input, owner] of cases) {
      const claims = roleClaims(input);
      expect(claims, JSON.stringify(input)).to.deep.equal(owner ? { affiliation: 'owner', moderator: true } : {});
      expect(tokenAffiliation({ ...claims }), JSON.stringify(input)).to.equal(owner ? 'owner' : 'member');
      expect(tokenAffiliation({ ...input }), `model agrees on the raw input ${JSON.stringify(input)}`).to.equal(owner ? 'owner' : 'member');
    }
  });
});
