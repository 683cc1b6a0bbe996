import { expect } from 'chai';
import { prosodyAccepts } from '../support/prosody-verifier';
import { containsToken, get, jitsiState, prosodyFor, spHeaders, startTestSidecar, type TestSidecar } from '../support/test-sidecar';
import { clientTokenOf } from '../support/jitsi-client';

const prosody = prosodyFor;

const tokenOf = clientTokenOf;

/** Hash parameters as the Jitsi client reads them: &-joined key=value, values URI-decoded and JSON-parsed. */
function hashParams(location: string): Map<string, unknown> {
  const hash = new URL(location).hash.slice(1);
  const params = new Map<string, unknown>();
  for (const pair of hash.split('&')) {
    const [key, value] = pair.split('=') as [string, string];
    params.set(key, JSON.parse(decodeURIComponent(value)));
  }
  return params;
}

describe('http: GET /redirectWithToken', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar();
  });
  after(() => t.stop());

  it('redirects to the tenant meeting with a token Prosody accepts for that room and tenant only', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Standup&tenant=acme`, spHeaders({ displayName: 'Alice A.' }));
    expect(res.status).to.equal(302);
    const location = res.headers.get('location') as string;
    const url = new URL(location);
    expect(url.origin).to.equal('https://meet.example.org');
    expect(url.pathname).to.equal('/acme/Standup');
    // The token alone in the hash: a bare link does not skip the pre-join screen, and no server sees the token.
    expect(url.hash).to.equal(`#jwt=%22${tokenOf(location)}%22`);
    expect(url.search).to.equal('');
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
    expect(containsToken(await res.text()), 'the body must not repeat the Location').to.equal(false);

    const token = tokenOf(location);
    const verdict = prosodyAccepts(token, prosody(t, 'standup', 'acme'));
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
    if (!verdict.ok) return;
    expect(verdict.claims.context).to.deep.include({ tenant: 'acme' });
    expect((verdict.claims.context as { user: unknown }).user).to.include({ email: 'alice@uni.example', name: 'Alice A.' });
    expect(prosodyAccepts(token, prosody(t, 'other-room', 'acme'))).to.deep.equal({ ok: false, reason: 'room_not_allowed' });
    expect(prosodyAccepts(token, prosody(t, 'standup', 'evilcorp'))).to.deep.equal({ ok: false, reason: 'room_not_allowed' });
    expect(prosodyAccepts(token, prosody(t, 'standup'))).to.deep.equal({ ok: false, reason: 'room_not_allowed' });
  });

  it('mints a root-room token (sub = XMPP domain) when no tenant is given', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=lobby`, spHeaders());
    const location = res.headers.get('location') as string;
    expect(new URL(location).pathname).to.equal('/lobby');
    const token = tokenOf(location);
    expect(prosodyAccepts(token, prosody(t, 'lobby')).ok).to.equal(true);
    expect(prosodyAccepts(token, prosody(t, 'lobby', 'acme')).ok).to.equal(false);
  });

  it('is also served as /generateToken and under the /saml2jwt prefix', async () => {
    for (const path of ['/generateToken', '/saml2jwt/redirectWithToken', '/saml2jwt/generateToken']) {
      const res = await get(`${t.front}${path}?room=r1`, spHeaders());
      expect(res.status, path).to.equal(302);
      expect(new URL(res.headers.get('location') as string).pathname, path).to.equal('/r1');
    }
    expect((await get(`${t.front}/other/redirectWithToken?room=r1`, spHeaders())).status).to.equal(404);
  });

  it('takes room and tenant from state over the query, and carries only harmless overrides into the hash', async () => {
    const state = jitsiState({
      room: 'Daily',
      roomSafe: 'daily',
      tenant: 'team',
      'config.prejoinConfig.enabled': false,
      'config.startWithAudioMuted': true,
      'config.startWithVideoMuted': false,
      'config.startAudioOnly': true,
      'interfaceConfig.SHOW_JITSI_WATERMARK': false,
      'config.subject': 'a&b#c=d "q"',
      'evil.key': 'dropped',
      'config.bad key': 'dropped',
      refreshToken: 'ignored: we issue none',
    });
    const res = await get(`${t.front}/redirectWithToken?room={room}&tenant=ignored&state=${state}&jitsi_meet_external_api_id=42`, spHeaders());
    expect(res.status).to.equal(302);
    const location = res.headers.get('location') as string;
    expect(new URL(location).pathname).to.equal('/team/Daily');
    const hash = hashParams(location);
    // Camera on, a subject text and UI settings are not harmless: dropped. The pre-join skip
    // comes back because Jitsi's own state asked for it.
    expect([...hash.keys()]).to.deep.equal([
      'jwt',
      'jitsi_meet_external_api_id',
      'config.prejoinConfig.enabled',
      'config.startWithAudioMuted',
      'config.startAudioOnly',
    ]);
    expect(hash.get('config.prejoinConfig.enabled')).to.equal(false);
    expect(hash.get('jitsi_meet_external_api_id')).to.equal(42);
    expect(hash.get('config.startWithAudioMuted')).to.equal(true);
    expect(hash.get('config.startAudioOnly')).to.equal(true);
    expect(new URL(location).hash.split('#')).to.have.length(2);
    expect(prosodyAccepts(tokenOf(location), prosody(t, 'daily', 'team')).ok).to.equal(true);
  });

  it('treats an unsubstituted {state} as absent and an empty state tenant as the root', async () => {
    let res = await get(`${t.front}/redirectWithToken?room=plain&state={state}`, spHeaders());
    expect(new URL(res.headers.get('location') as string).pathname).to.equal('/plain');
    res = await get(`${t.front}/redirectWithToken?tenant=acme&state=${jitsiState({ room: 'r', tenant: '' })}`, spHeaders());
    expect(new URL(res.headers.get('location') as string).pathname).to.equal('/r');
  });

  it('percent-encodes room and tenant into the path, the room decoded once as the client will', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=${encodeURIComponent('Café Ü%20x')}&tenant=${encodeURIComponent('ä b')}`, spHeaders());
    expect(res.status).to.equal(302);
    const location = res.headers.get('location') as string;
    // `%20` typed into the room is a space to the client (getBackendSafeRoomName decodes first),
    // so it travels as one; `%2520` would make the client join `…%2520x`.
    expect(location.startsWith('https://meet.example.org/%C3%A4%20b/Caf%C3%A9%20%C3%9C%20x#jwt=%22')).to.equal(true);
  });

  it('honours validity_timestamp within the cap', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const res = await get(`${t.front}/redirectWithToken?room=x&validity_timestamp=${exp}`, spHeaders());
    const verdict = prosodyAccepts(tokenOf(res.headers.get('location') as string), prosody(t, 'x'));
    expect(verdict.ok && verdict.claims.exp).to.equal(exp);
  });
});
