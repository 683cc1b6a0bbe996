// Rooms with spaces or accents (issue: "Réunion équipe" was locked out). Every token must name
// the MUC room the Jitsi client joins, whichever way the room reached us; the URL keeps the
// name as typed. Checked with the independent client and Prosody models in test/support.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { clientBackendSafeRoomName, clientMeetingFromPath, clientTokenOf } from '../support/jitsi-client';
import { prosodyAccepts } from '../support/prosody-verifier';
import { bearer, containsToken, get, jitsiState, spHeaders, startTestSidecar, TEST_APP_SECRET, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const ROOM = 'Réunion équipe';
const NODE = 'r%c3%a9union%20%c3%a9quipe';

function accepts(t: TestSidecar, token: string, room: string, tenant?: string): boolean {
  return prosodyAccepts(token, {
    secret: TEST_APP_SECRET,
    acceptedIssuers: [t.cfg.jwt.appId],
    acceptedAudiences: [t.cfg.jwt.audience],
    room,
    ...(tenant === undefined ? {} : { tenant }),
    xmppDomain: t.cfg.xmppDomain,
    domainVerification: true,
  }).ok;
}

function claimsOf(token: string): { room: string; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { room: string; sub: string };
}

describe('http: room names with spaces and accents', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ BACKEND_RATE_LIMIT: '1000' });
  });
  after(() => t.stop());

  /** The redirect's token, after checking the URL keeps the typed name and leads the client to NODE. */
  async function redirectToken(query: string): Promise<string> {
    const res = await get(`${t.front}/redirectWithToken?${query}`, spHeaders());
    expect(res.status, query).to.equal(302);
    const url = new URL(res.headers.get('location') as string);
    expect(url.pathname).to.equal('/acme/R%C3%A9union%20%C3%A9quipe');
    const seen = clientMeetingFromPath(url.pathname);
    expect(seen.tenant).to.equal('acme');
    expect(clientBackendSafeRoomName(seen.room as string)).to.equal(NODE);
    return clientTokenOf(url.href);
  }

  const variants: [string, string][] = [
    ['room= alone', `room=${encodeURIComponent(ROOM)}&tenant=acme`],
    ['state alone, with the client\'s roomSafe', `state=${jitsiState({ room: ROOM, roomSafe: NODE, tenant: 'acme' })}`],
    ['state alone, without roomSafe', `state=${jitsiState({ room: ROOM, tenant: 'acme' })}`],
    ['room= and state together', `room=${encodeURIComponent(ROOM)}&state=${jitsiState({ room: ROOM, roomSafe: NODE, tenant: 'acme' })}`],
  ];
  for (const [name, query] of variants) {
    it(`${name}: the claim is the backend-safe name, and Prosody admits the user to that room only`, async () => {
      const token = await redirectToken(query);
      expect(claimsOf(token)).to.include({ room: NODE, sub: 'acme' });
      expect(accepts(t, token, ROOM, 'acme')).to.equal(true);
      expect(accepts(t, token, 'réunion équipe', 'acme')).to.equal(true); // the same MUC room
      expect(accepts(t, token, 'Réunion équipe 2', 'acme')).to.equal(false);
      expect(accepts(t, token, ROOM, 'other')).to.equal(false);
      expect(accepts(t, token, ROOM)).to.equal(false);
    });
  }

  it('refuses a state whose roomSafe names another room: 400 room_mismatch, no token', async () => {
    for (const roomSafe of ['réunion équipe', 'other', 'r%C3%A9union%20%C3%A9quipe', '']) {
      const state = jitsiState({ room: ROOM, roomSafe, tenant: 'acme' });
      const res = await get(`${t.front}/redirectWithToken?state=${state}`, spHeaders());
      expect(res.status, roomSafe).to.equal(400);
      const whole = await wholeResponse(res);
      expect(whole).to.include('room_mismatch');
      expect(containsToken(whole)).to.equal(false);
    }
  });

  it('never trusts roomSafe alone: a state with roomSafe and no room is refused', async () => {
    const res = await get(`${t.front}/redirectWithToken?state=${jitsiState({ roomSafe: 'board', tenant: 'acme' })}`, spHeaders());
    expect(res.status).to.equal(400);
    expect(await res.text()).to.include('missing_room');
  });

  it('checks roomSafe against room= when the state carries no room of its own', async () => {
    const ok = await get(`${t.front}/redirectWithToken?room=Caf%C3%A9&state=${jitsiState({ roomSafe: 'caf%c3%a9' })}`, spHeaders());
    expect(ok.status).to.equal(302);
    const bad = await get(`${t.front}/redirectWithToken?room=Caf%C3%A9&state=${jitsiState({ roomSafe: 'tea' })}`, spHeaders());
    expect(bad.status).to.equal(400);
  });

  it('backend /getToken mints the backend-safe name too', async () => {
    const res = await get(`${t.backend}/getToken?mail=bob@uni.example&room=${encodeURIComponent(ROOM)}&tenant=acme`, bearer());
    expect(res.status).to.equal(200);
    const token = await res.text();
    expect(claimsOf(token).room).to.equal(NODE);
    expect(accepts(t, token, ROOM, 'acme')).to.equal(true);
    expect(accepts(t, token, 'Réunion', 'acme')).to.equal(false);
  });

  it('never issues a room whose decoded name is `*`, through the front or the backend', async () => {
    for (const room of ['%2a', '%2A', '%252a']) {
      const front = await get(`${t.front}/redirectWithToken?room=${encodeURIComponent(room)}`, spHeaders());
      const back = await get(`${t.backend}/getToken?mail=bob@uni.example&room=${encodeURIComponent(room)}`, bearer());
      if (room === '%252a') {
        // decodes once to `%2a`, which the client joins as the literal node `%252a`: not a wildcard
        expect(claimsOf((await back.text()).trim()).room).to.equal('%252a');
        continue;
      }
      expect(front.status, room).to.equal(400);
      expect(back.status, room).to.equal(400);
      expect(containsToken(await wholeResponse(front))).to.equal(false);
    }
  });

  it('/validateToken reports a token minted for the name as typed as room_not_backend_safe', async () => {
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: t.cfg.jwt.appId, aud: t.cfg.jwt.audience, sub: 'acme', room: 'réunion équipe', iat: now, nbf: now - 5, exp: now + 600 };
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    const old = `${input}.${createHmac('sha256', TEST_APP_SECRET).update(input).digest('base64url')}`;
    const res = await get(`${t.backend}/validateToken?jwt=${encodeURIComponent(old)}`, bearer());
    expect(await res.json()).to.deep.equal({ valid: false, reason: 'room_not_backend_safe' });

    const fresh = await (await get(`${t.backend}/getToken?mail=bob@uni.example&room=${encodeURIComponent(ROOM)}&tenant=acme`, bearer())).text();
    const ok = await get(`${t.backend}/validateToken?jwt=${encodeURIComponent(fresh)}`, bearer());
    expect(await ok.json()).to.deep.equal({ valid: true });
  });
});
