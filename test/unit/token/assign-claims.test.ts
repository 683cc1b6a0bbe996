import { expect } from 'chai';
import { refusalOf } from '../../support/refusal';
import { createHash } from 'node:crypto';
import { buildClaims } from '../../../sidecar/src/token/assign-claims';
import type { TokenRequest } from '../../../sidecar/src/token/claims';
import { parseRoom, type Room } from '../../../sidecar/src/meeting/room';
import { testConfig } from '../../support/config-fixture';

const now = 1_900_000_000;
const request = (over: Partial<TokenRequest> = {}): TokenRequest => ({
  user: { id: 'pw-123@uni.example', name: 'Alice Example', email: 'Alice@Uni.Example' },
  room: parseRoom('Weekly-Sync'),
  features: { recording: true, livestreaming: false },
  ...over,
});


const reasonOf = (fn: () => unknown): string => refusalOf(fn).reason;

describe('token/assign-claims: buildClaims', () => {
  const cfg = testConfig();

  it('has the shape Prosody expects for a room without tenant', () => {
    const c = buildClaims(request(), cfg, now);
    expect(c).to.have.keys('iss', 'aud', 'sub', 'room', 'iat', 'nbf', 'exp', 'jti', 'context');
    expect(c).to.deep.include({ iss: 'saml2jwt-test', aud: 'saml2jwt-test', sub: 'meet.jitsi', room: 'weekly-sync', iat: now, nbf: now - 30, exp: now + 3600 });
    expect(c.context).to.deep.equal({
      user: { id: 'pw-123@uni.example', name: 'Alice Example', email: 'Alice@Uni.Example' },
      features: { recording: true, livestreaming: false },
    });
  });

  it('sub is the XMPP domain, not the public host name', () => {
    expect(buildClaims(request(), testConfig({ XMPP_DOMAIN: 'xmpp.internal' }), now).sub).to.equal('xmpp.internal');
  });

  it('in a tenant: sub and context.tenant are the lower-cased tenant', () => {
    const c = buildClaims(request({ tenant: 'AcMe' }), cfg, now);
    expect(c.sub).to.equal('acme');
    expect(c.context.tenant).to.equal('acme');
  });

  it('an empty tenant means no tenant', () => {
    const c = buildClaims(request({ tenant: '' }), cfg, now);
    expect(c.sub).to.equal('meet.jitsi');
    expect(c.context).not.to.have.property('tenant');
  });

  it('aud follows JWT_AUDIENCE', () => expect(buildClaims(request(), testConfig({ JWT_AUDIENCE: 'jitsi' }), now).aud).to.equal('jitsi'));

  it('a fresh random jti each time', () => {
    const a = buildClaims(request(), cfg, now).jti;
    expect(a).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(buildClaims(request(), cfg, now).jti).not.to.equal(a);
  });

  it('no avatar unless AVATAR=gravatar', () => {
    expect(buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', avatar: 'https://evil/x.png' } }), cfg, now).context.user).not.to.have.property('avatar');
  });

  it('AVATAR=gravatar: md5 of the trimmed, lower-cased mail, as the reference', () => {
    const md5 = createHash('md5').update('alice@uni.example').digest('hex');
    const c = buildClaims(request({ user: { id: 'u', name: 'n', email: ' Alice@Uni.Example ' } }), testConfig({ AVATAR: 'gravatar' }), now);
    expect(c.context.user.avatar).to.equal(`https://www.gravatar.com/avatar/${md5}?d=404&size=200`);
  });

  it('affiliation and moderator only when set, never null or undefined keys', () => {
    const plain = buildClaims(request(), cfg, now);
    expect(Object.keys(plain.context.user).sort()).to.deep.equal(['email', 'id', 'name']);
    const withRole = buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', affiliation: 'owner', moderator: true } }), cfg, now);
    expect(withRole.context.user).to.deep.equal({ id: 'u', name: 'n', email: 'e@x', affiliation: 'owner', moderator: true, lobby_bypass: true });
    const member = buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', affiliation: 'member', moderator: false } }), cfg, now);
    expect(member.context.user, 'a member gets no role fields, never false').to.deep.equal({ id: 'u', name: 'n', email: 'e@x' });
    const teacher = buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', affiliation: 'teacher' } }), cfg, now);
    expect(teacher.context.user, 'every owner in one form').to.deep.equal({ id: 'u', name: 'n', email: 'e@x', affiliation: 'owner', moderator: true, lobby_bypass: true });
    const bypass = buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', lobby_bypass: true } }), cfg, now);
    expect(bypass.context.user).to.deep.equal({ id: 'u', name: 'n', email: 'e@x', lobby_bypass: true });
    const json = JSON.parse(JSON.stringify(buildClaims(request({ user: { id: 'u', name: 'n', email: 'e@x', affiliation: undefined } }), cfg, now)));
    expect(json.context.user).to.deep.equal({ id: 'u', name: 'n', email: 'e@x' });
  });

  it('copies features (a later change to the request does not leak in)', () => {
    const req = request();
    const c = buildClaims(req, cfg, now);
    req.features.recording = false;
    expect(c.context.features.recording).to.equal(true);
  });

  it('no exp only with ALLOW_UNLIMITED_TOKENS and DEFAULT_VALIDITY=0', () => {
    const c = buildClaims(request(), testConfig({ ALLOW_UNLIMITED_TOKENS: 'true', DEFAULT_VALIDITY: '0' }), now);
    expect(c).not.to.have.property('exp');
  });

  it('honours validity_timestamp only when enabled', () => {
    expect(buildClaims(request({ requestedExp: now + 120 }), cfg, now).exp).to.equal(now + 3600);
    expect(buildClaims(request({ requestedExp: now + 120 }), testConfig({ ENABLE_VALIDITY_BY_REQUEST: 'true' }), now).exp).to.equal(now + 120);
  });

  describe('refuses wildcards (defence in depth)', () => {
    // parseRoom refuses these: a Room made by hand stands for a caller that skipped it.
    const unparsed = (name: string): Room => ({ given: name, decoded: name, normalized: name, backendSafe: name });
    for (const room of ['*', 'a*', '*b', 'a*b', 'a%2ab']) {
      it(`room "${room}"`, () => expect(reasonOf(() => buildClaims(request({ room: unparsed(room) }), cfg, now))).to.equal('wildcard'));
    }
    for (const tenant of ['*', 'ac*me']) {
      it(`tenant "${tenant}"`, () => expect(reasonOf(() => buildClaims(request({ tenant }), cfg, now))).to.equal('wildcard'));
    }
    it('and an empty room', () => expect(reasonOf(() => buildClaims(request({ room: unparsed('') }), cfg, now))).to.equal('no_room'));
  });
});

describe('token/assign-claims: a user without a mail (REFEDS Pseudonymous Access)', () => {
  it('has no email and no avatar in context.user, not an empty string or null, even with AVATAR=gravatar', () => {
    const c = buildClaims(
      { user: { id: 'pw-1@uni.example', name: 'Guest 1a2b3c' }, room: parseRoom('Seminar'), features: {} },
      testConfig({ AVATAR: 'gravatar' }),
      now,
    );
    expect(c.context.user).to.deep.equal({ id: 'pw-1@uni.example', name: 'Guest 1a2b3c' });
  });
});

describe('token/assign-claims: moderators, the lobby and visitors (issue 21)', () => {
  const cfg = testConfig();
  const user = (over: Partial<TokenRequest['user']>): TokenRequest['user'] => ({ id: 'u', name: 'n', email: 'e@x', ...over });
  it('a moderator\'s token carries lobby_bypass: true without asking; lobby_bypass: false opts out', () => {
    expect(buildClaims(request({ user: user({ moderator: true }) }), cfg, now).context.user).to.include({ affiliation: 'owner', moderator: true, lobby_bypass: true });
    expect(buildClaims(request({ user: user({ moderator: true, lobby_bypass: false }) }), cfg, now).context.user).not.to.have.property('lobby_bypass');
    expect(buildClaims(request({ user: user({}) }), cfg, now).context.user).not.to.have.property('lobby_bypass');
    expect(buildClaims(request({ user: user({ lobby_bypass: false }) }), cfg, now).context.user).not.to.have.property('lobby_bypass');
  });
  it('role: "visitor" for a visitor, never for a moderator', () => {
    expect(buildClaims(request({ user: user({ role: 'visitor' }) }), cfg, now).context.user).to.deep.equal({ id: 'u', name: 'n', email: 'e@x', role: 'visitor' });
    expect(buildClaims(request({ user: user({ role: 'visitor', affiliation: 'teacher' }) }), cfg, now).context.user).not.to.have.property('role');
  });
});
