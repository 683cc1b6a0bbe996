// Tests of the test oracle itself: test/support/prosody-verifier.ts must reject what Prosody rejects.
import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { prosodyAccepts, type ProsodyOptions } from '../../support/prosody-verifier';

const secret = randomBytes(32).toString('hex');
const now = 1_900_000_000;
const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function craft(payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }, key = secret): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

const claims = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: 'app',
  aud: 'app',
  sub: 'meet.jitsi',
  room: 'abc',
  nbf: now - 30,
  exp: now + 3600,
  context: { user: { id: 'u1', name: 'Alice', email: 'a@uni.example' }, features: { recording: true } },
  ...over,
});

const opts = (over: Partial<ProsodyOptions> = {}): ProsodyOptions => ({
  secret,
  acceptedIssuers: ['app'],
  acceptedAudiences: ['app'],
  room: 'abc',
  xmppDomain: 'meet.jitsi',
  domainVerification: true,
  now,
  ...over,
});

const reasonOf = (token: string, o: ProsodyOptions): string => {
  const v = prosodyAccepts(token, o);
  return v.ok ? 'accepted' : v.reason;
};

describe('support/prosody-verifier', () => {
  it('accepts a well-formed token for its room', () => {
    const v = prosodyAccepts(craft(claims()), opts());
    expect(v.ok).to.equal(true);
    expect(v.ok && v.claims.room).to.equal('abc');
  });

  describe('header and signature', () => {
    it('typ must be exactly JWT', () => expect(reasonOf(craft(claims(), { alg: 'HS256', typ: 'jwt' }), opts())).to.equal('bad_typ'));
    it('typ is required', () => expect(reasonOf(craft(claims(), { alg: 'HS256' }), opts())).to.equal('bad_typ'));
    it('alg must be HS256', () => expect(reasonOf(craft(claims(), { alg: 'HS512', typ: 'JWT' }), opts())).to.equal('alg_mismatch'));
    it('alg none is rejected', () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
      expect(reasonOf(token, opts())).to.equal('alg_mismatch');
    });
    it('another secret', () => expect(reasonOf(craft(claims(), undefined, 'x'.repeat(64)), opts())).to.equal('bad_signature'));
    it('a tampered payload', () => {
      const [h, , s] = craft(claims()).split('.');
      expect(reasonOf(`${h}.${b64(claims({ room: 'other' }))}.${s}`, opts({ room: 'other' }))).to.equal('bad_signature');
    });
    it('garbage', () => expect(reasonOf('not.a.token', opts())).to.equal('malformed'));
  });

  describe('issuer and audience', () => {
    it('iss must be accepted, case-sensitively', () => expect(reasonOf(craft(claims({ iss: 'App' })), opts())).to.equal('issuer_not_accepted'));
    it('iss * accepts any', () => expect(reasonOf(craft(claims({ iss: 'whoever' })), opts({ acceptedIssuers: ['*'] }))).to.equal('accepted'));
    it('aud must be accepted', () => expect(reasonOf(craft(claims({ aud: 'other' })), opts())).to.equal('audience_not_accepted'));
    it('an array aud fails without *', () => expect(reasonOf(craft(claims({ aud: ['app'] })), opts())).to.equal('audience_not_accepted'));
    it('an array aud passes with *', () => expect(reasonOf(craft(claims({ aud: ['app'] })), opts({ acceptedAudiences: ['*'] }))).to.equal('accepted'));
    for (const claim of ['iss', 'aud', 'sub', 'room']) {
      it(`${claim} is required`, () =>
        expect(reasonOf(craft(claims({ [claim]: undefined })), opts({ acceptedIssuers: ['*'], acceptedAudiences: ['*'], domainVerification: false }))).to.equal(
          `missing_${claim}`,
        ));
    }
  });

  describe('time', () => {
    it('now >= exp is expired (no leeway)', () => expect(reasonOf(craft(claims({ exp: now })), opts())).to.equal('expired'));
    it('one second before exp is fine', () => expect(reasonOf(craft(claims({ exp: now + 1 })), opts())).to.equal('accepted'));
    it('now < nbf is not yet valid (no leeway)', () => expect(reasonOf(craft(claims({ nbf: now + 1 })), opts())).to.equal('not_yet_valid'));
    it('exp must be a number', () => expect(reasonOf(craft(claims({ exp: String(now + 10) })), opts())).to.equal('exp_not_number'));
    it('exp and nbf are optional', () => expect(reasonOf(craft(claims({ exp: undefined, nbf: undefined })), opts())).to.equal('accepted'));
  });

  describe('context', () => {
    it('a null user field breaks', () =>
      expect(reasonOf(craft(claims({ context: { user: { id: 'u', name: null } } })), opts())).to.equal('user_name_not_string'));
    it('a numeric user field breaks', () => expect(reasonOf(craft(claims({ context: { user: { id: 7 } } })), opts())).to.equal('user_id_not_string'));
    it('moderator may be boolean', () => expect(reasonOf(craft(claims({ context: { user: { id: 'u', moderator: true } } })), opts())).to.equal('accepted'));
    it('features are strings or booleans', () => {
      expect(reasonOf(craft(claims({ context: { features: { recording: 'true', livestreaming: false } } })), opts())).to.equal('accepted');
      expect(reasonOf(craft(claims({ context: { features: { recording: 1 } } })), opts())).to.equal('feature_recording_bad_type');
    });
  });

  describe('room JID with domain verification on', () => {
    it('a different room', () => expect(reasonOf(craft(claims()), opts({ room: 'abcd' }))).to.equal('room_not_allowed'));
    it('the room claim is lower-cased', () => expect(reasonOf(craft(claims({ room: 'ABC' })), opts())).to.equal('accepted'));
    it('a plain room needs sub = the XMPP domain', () => {
      expect(reasonOf(craft(claims({ sub: 'meet.example.org' })), opts())).to.equal('room_not_allowed');
      expect(reasonOf(craft(claims({ sub: 'MEET.JITSI' })), opts())).to.equal('accepted');
    });
    it('a tenant room needs sub = the tenant', () => {
      expect(reasonOf(craft(claims({ sub: 'acme' })), opts({ tenant: 'acme' }))).to.equal('accepted');
      expect(reasonOf(craft(claims({ sub: 'meet.jitsi' })), opts({ tenant: 'acme' }))).to.equal('room_not_allowed');
    });
    it('a tenant-A token is refused in tenant B', () => expect(reasonOf(craft(claims({ sub: 'acme' })), opts({ tenant: 'beta' }))).to.equal('room_not_allowed'));
    it('a tenant token is refused for the root room', () => expect(reasonOf(craft(claims({ sub: 'acme' })), opts())).to.equal('room_not_allowed'));
    it('room * matches every room (why we never issue it)', () => {
      expect(reasonOf(craft(claims({ room: '*' })), opts({ room: 'anything' }))).to.equal('accepted');
      expect(reasonOf(craft(claims({ room: '*', sub: 'acme' })), opts({ room: 'anything', tenant: 'acme' }))).to.equal('accepted');
    });
    it('sub * matches every tenant', () => expect(reasonOf(craft(claims({ sub: '*' })), opts({ tenant: 'beta' }))).to.equal('accepted'));
  });

  describe('room JID with domain verification off', () => {
    const off = (over: Partial<ProsodyOptions> = {}) => opts({ domainVerification: false, ...over });
    it('sub only has to be present', () => expect(reasonOf(craft(claims({ sub: 'anything' })), off())).to.equal('accepted'));
    it('a tenant-A token is accepted in tenant B (the reason to turn verification on)', () =>
      expect(reasonOf(craft(claims({ sub: 'acme' })), off({ tenant: 'beta' }))).to.equal('accepted'));
    it('a plain room claim matches [tenant]room', () => expect(reasonOf(craft(claims()), off({ tenant: 'acme' }))).to.equal('accepted'));
    it('the room must still match', () => expect(reasonOf(craft(claims()), off({ room: 'xabc' }))).to.equal('room_not_allowed'));
  });
});
