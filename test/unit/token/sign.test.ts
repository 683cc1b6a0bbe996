import { expect } from 'chai';
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

describe('token/sign: createSigner', () => {
  const sign = createSigner(TEST_APP_SECRET);

  it('produces a token jsonwebtoken verifies with HS256 and the same secret', () => {
    const decoded = jwt.verify(sign(claims), TEST_APP_SECRET, { algorithms: ['HS256'], complete: true, clockTimestamp: claims.iat });
    expect(decoded.header).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
    expect(decoded.payload).to.deep.equal(claims);
  });

  it('the same signature as jsonwebtoken.sign for the same header and payload', () => {
    const theirs = jwt.sign(claims, TEST_APP_SECRET, { algorithm: 'HS256' }); // keeps our iat
    expect(sign(claims)).to.equal(theirs);
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
