// End to end through the token layer: mint, then check with jsonwebtoken and with the independent
// Prosody model, for the right room/tenant and for the wrong ones.
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { mintToken, nowSeconds } from '../../../sidecar/src/token/mint';
import { createSigner } from '../../../sidecar/src/token/sign';
import type { TokenRequest } from '../../../sidecar/src/token/claims';
import { prosodyAccepts, type ProsodyOptions } from '../../support/prosody-verifier';
import { TEST_APP_SECRET, testConfig } from '../../support/config-fixture';
import { parseRoom } from '../../../sidecar/src/meeting/room';

const cfg = testConfig();
const sign = createSigner(TEST_APP_SECRET);
const request = (over: Partial<TokenRequest> = {}): TokenRequest => ({
  user: { id: 'u-1', name: 'Alice', email: 'alice@uni.example', affiliation: 'owner' },
  room: parseRoom('Planning'),
  features: { recording: true, livestreaming: false },
  ...over,
});
const prosody = (over: Partial<ProsodyOptions>): ProsodyOptions => ({
  secret: TEST_APP_SECRET,
  acceptedIssuers: [cfg.jwt.appId],
  acceptedAudiences: [cfg.jwt.audience],
  room: 'planning',
  xmppDomain: cfg.xmppDomain,
  domainVerification: true,
  ...over,
});
const verdict = (token: string, over: Partial<ProsodyOptions>): string => {
  const v = prosodyAccepts(token, prosody(over));
  return v.ok ? 'accepted' : v.reason;
};

describe('token/mint: mintToken', () => {
  it('returns the token and the claims it carries', () => {
    const { token, claims } = mintToken(request(), cfg, sign);
    expect(jwt.verify(token, TEST_APP_SECRET, { algorithms: ['HS256'] })).to.deep.equal(claims);
  });

  it('uses the current time by default', () => {
    const before = nowSeconds();
    const { claims } = mintToken(request(), cfg, sign);
    expect(claims.iat).to.be.within(before, nowSeconds());
  });

  it('uses the given time', () => expect(mintToken(request(), cfg, sign, 1_900_000_000).claims.iat).to.equal(1_900_000_000));

  describe('accepted by Prosody for its own room only', () => {
    it('root room: accepted with domain verification on and off', () => {
      const { token } = mintToken(request(), cfg, sign);
      expect(verdict(token, {})).to.equal('accepted');
      expect(verdict(token, { domainVerification: false })).to.equal('accepted');
    });

    it('root room: refused for another room', () => {
      const { token } = mintToken(request(), cfg, sign);
      expect(verdict(token, { room: 'planning2' })).to.equal('room_not_allowed');
      expect(verdict(token, { room: 'plan' })).to.equal('room_not_allowed');
    });

    it('root room: refused in a tenant with domain verification on', () => {
      const { token } = mintToken(request(), cfg, sign);
      expect(verdict(token, { tenant: 'acme' })).to.equal('room_not_allowed');
    });

    it('tenant room: accepted in its tenant, refused in another tenant and at the root', () => {
      const { token } = mintToken(request({ tenant: 'Acme' }), cfg, sign);
      expect(verdict(token, { tenant: 'acme' })).to.equal('accepted');
      expect(verdict(token, { tenant: 'beta' })).to.equal('room_not_allowed');
      expect(verdict(token, {})).to.equal('room_not_allowed');
    });

    it('is refused by Prosody once expired, and not before nbf', () => {
      const t0 = 1_900_000_000;
      const { token } = mintToken(request(), cfg, sign, t0);
      expect(verdict(token, { now: t0 })).to.equal('accepted');
      expect(verdict(token, { now: t0 - 30 })).to.equal('accepted');
      expect(verdict(token, { now: t0 - 31 })).to.equal('not_yet_valid');
      expect(verdict(token, { now: t0 + 3599 })).to.equal('accepted');
      expect(verdict(token, { now: t0 + 3600 })).to.equal('expired');
    });

    it('is refused with another secret, issuer or audience', () => {
      const { token } = mintToken(request(), cfg, sign);
      expect(verdict(token, { secret: `${TEST_APP_SECRET}0` })).to.equal('bad_signature');
      expect(verdict(token, { acceptedIssuers: ['someone-else'] })).to.equal('issuer_not_accepted');
      expect(verdict(token, { acceptedAudiences: ['someone-else'] })).to.equal('audience_not_accepted');
    });

    it('a configured JWT_AUDIENCE passes Prosody with that audience', () => {
      const other = testConfig({ JWT_AUDIENCE: 'jitsi' });
      const { token } = mintToken(request(), other, createSigner(TEST_APP_SECRET));
      expect(verdict(token, { acceptedAudiences: ['jitsi'] })).to.equal('accepted');
      expect(verdict(token, { acceptedAudiences: [cfg.jwt.appId] })).to.equal('audience_not_accepted');
    });

    it('with a gravatar avatar and every user field, all fields are strings Prosody accepts', () => {
      const g = testConfig({ AVATAR: 'gravatar' });
      const { token, claims } = mintToken(request({ user: { id: 'u', name: 'N', email: 'e@x', affiliation: 'teacher', moderator: true } }), g, sign);
      expect(claims.context.user.avatar).to.be.a('string');
      expect(verdict(token, {})).to.equal('accepted');
    });
  });
});
