import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JitsiClaims } from '../../../sidecar/src/token/claims';
import { createSigner } from '../../../sidecar/src/token/sign';
import { TEST_APP_SECRET } from '../../support/config-fixture';

const claims: JitsiClaims = {
  iss: 'app',
  aud: 'app',
  sub: 'meet.jitsi',
  room: 'räum-ü',
  iat: 1_900_000_000,
  nbf: 1_899_999_970,
  exp: 1_900_003_600,
  jti: '3b241101-e2bb-4255-8caf-4136c566a962',
  context: { user: { id: 'u', name: 'Jürgen „Q“', email: 'j@uni.example' }, features: { recording: true, livestreaming: false } },
};

describe('token/sign: createSigner (jsonwebtoken, KeyObject)', () => {
  const sign = createSigner(TEST_APP_SECRET);

  it('produces a token jsonwebtoken verifies with HS256 and the same secret', () => {
    const decoded = jwt.verify(sign(claims), TEST_APP_SECRET, { algorithms: ['HS256'], complete: true, clockTimestamp: claims.iat });
    expect(decoded.header).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
    expect(decoded.payload).to.deep.equal(claims);
  });

  it('output bytes: header exactly {"alg":"HS256","typ":"JWT"}, payload exactly our claims, HMAC-SHA256 over both', () => {
    const [header, payload, signature] = sign(claims).split('.') as [string, string, string];
    expect(Buffer.from(header, 'base64url').toString('utf8')).to.equal('{"alg":"HS256","typ":"JWT"}');
    // Nothing added, dropped or reordered: our iat stays, no kid, no second timestamp.
    expect(Buffer.from(payload, 'base64url').toString('utf8')).to.equal(JSON.stringify(claims));
    expect(signature).to.equal(createHmac('sha256', TEST_APP_SECRET).update(`${header}.${payload}`).digest('base64url'));
  });

  it('signs the claims without exp as they are (ALLOW_UNLIMITED_TOKENS)', () => {
    const { exp: _exp, ...unlimited } = claims;
    const payload = sign(unlimited).split('.')[1] as string;
    expect(Buffer.from(payload, 'base64url').toString('utf8')).to.equal(JSON.stringify(unlimited));
  });

  it('uses base64url without padding in all three parts', () => {
    const parts = sign(claims).split('.');
    expect(parts).to.have.length(3);
    for (const part of parts) expect(part).to.match(/^[A-Za-z0-9_-]+$/);
  });

  it('a token signed with another secret does not verify', () => {
    const other = createSigner(`${TEST_APP_SECRET}x`)(claims);
    expect(() => jwt.verify(other, TEST_APP_SECRET, { algorithms: ['HS256'], clockTimestamp: claims.iat })).to.throw(/invalid signature/);
  });

  it('refuses an empty secret', () => expect(() => createSigner('')).to.throw());
});
