import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { verifyToken } from '../../../sidecar/src/token/verify';
import { mintToken } from '../../../sidecar/src/token/mint';
import { createSigner } from '../../../sidecar/src/token/sign';
import { TEST_APP_SECRET, testConfig } from '../../support/config-fixture';
import { parseRoom } from '../../../sidecar/src/meeting/room';

const cfg = testConfig();
const now = 1_900_000_000;
const good = () => mintToken({ user: { id: 'u', name: 'n', email: 'e@x' }, room: parseRoom('abc'), features: {} }, cfg, createSigner(TEST_APP_SECRET), now);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function craft(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, secret = TEST_APP_SECRET): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const payload = (over: Record<string, unknown> = {}) => ({ ...good().claims, ...over });

describe('token/verify: verifyToken', () => {
  it('accepts a token we minted and returns its claims', () => {
    const { token, claims } = good();
    expect(verifyToken(token, cfg, now)).to.deep.equal({ valid: true, claims });
  });

  it('rejects alg none', () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload())}.`;
    expect(verifyToken(token, cfg, now)).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
  });

  it('rejects HS512 even with the right secret', () => {
    const token = jwt.sign(payload(), TEST_APP_SECRET, { algorithm: 'HS512' });
    expect(verifyToken(token, cfg, now).reason).to.equal('bad_algorithm');
  });

  it('rejects another secret', () => expect(verifyToken(craft(payload(), undefined, 'f'.repeat(64)), cfg, now).reason).to.equal('bad_signature'));
  it('rejects a typ other than JWT', () => expect(verifyToken(craft(payload(), { alg: 'HS256', typ: 'jwt' }), cfg, now).reason).to.equal('bad_type'));
  it('rejects a missing typ', () => expect(verifyToken(craft(payload(), { alg: 'HS256' }), cfg, now).reason).to.equal('bad_type'));
  it('rejects the wrong issuer', () => expect(verifyToken(craft(payload({ iss: 'SAML2JWT-TEST' })), cfg, now).reason).to.equal('wrong_issuer'));
  it('rejects the wrong audience', () => expect(verifyToken(craft(payload({ aud: 'other' })), cfg, now).reason).to.equal('wrong_audience'));
  it('rejects an array audience', () => expect(verifyToken(craft(payload({ aud: [cfg.jwt.audience] })), cfg, now).reason).to.equal('wrong_audience'));
  it('rejects a missing sub', () => expect(verifyToken(craft(payload({ sub: undefined })), cfg, now).reason).to.equal('no_subject'));
  it('rejects a missing room', () => expect(verifyToken(craft(payload({ room: undefined })), cfg, now).reason).to.equal('no_room'));
  it('rejects room *', () => expect(verifyToken(craft(payload({ room: '*' })), cfg, now).reason).to.equal('wildcard_room'));
  it('rejects sub *', () => expect(verifyToken(craft(payload({ sub: '*' })), cfg, now).reason).to.equal('wildcard_room'));
  it('rejects a token without exp unless unlimited tokens are allowed', () => {
    const token = craft(payload({ exp: undefined }));
    expect(verifyToken(token, cfg, now).reason).to.equal('no_expiry');
    expect(verifyToken(token, testConfig({ ALLOW_UNLIMITED_TOKENS: 'true' }), now).valid).to.equal(true);
  });
  it('expired at exactly exp (no leeway)', () => {
    const { token, claims } = good();
    expect(verifyToken(token, cfg, (claims.exp as number) - 1).valid).to.equal(true);
    expect(verifyToken(token, cfg, claims.exp as number).reason).to.equal('expired');
  });
  it('not yet valid before nbf (no leeway)', () => {
    const { token, claims } = good();
    expect(verifyToken(token, cfg, claims.nbf).valid).to.equal(true);
    expect(verifyToken(token, cfg, claims.nbf - 1).reason).to.equal('not_yet_valid');
  });
  it('rejects garbage as malformed', () => {
    for (const t of ['', 'abc', 'a.b.c', `${b64({ alg: 'HS256', typ: 'JWT' })}.notjson.sig`]) {
      expect(verifyToken(t, cfg, now).reason, t).to.equal('malformed');
    }
  });
});
