// Issue 19, item 1: the private-room check, the Jicofo question and the token's claim are made on
// one parsed room. Another spelling of a victim's private room (`%63` for `c`, `%5f` for `_`, a
// full-width letter) used to pass the check while the claim named the victim's room. Expectations
// here come from the client's own algorithm (test/support/jitsi-client.ts), not from the sidecar.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { clientBackendSafeRoomName, clientTokenOf, safeDecodeURIComponent } from '../support/jitsi-client';
import { closedPort, FakeJicofo } from '../support/fake-jicofo';
import { respellRoom } from '../support/room-spellings';
import { containsToken, get, jitsiState, spHeaders, startTestSidecar, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const TENANT = 'private-team';
const OWNER = 'owner-1@uni.example';
const GUEST = 'guest-9@uni.example';
const SUFFIX = '_0a1b2c-3d4e5f-6a7b8c';
const PRIVATE_ROOM = /^(.*)__(.*)_[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}$/;

/** The reference's generateId, written out independently of sidecar/src/policy. */
function uidOf(input: string): string {
  return createHash('sha256').update(input.toLowerCase(), 'utf8').digest('base64').replace(/[+/]/g, '-').replace(/=/g, '').toLowerCase().slice(0, 12);
}

const victimRoom = `standup__${uidOf(`standup${OWNER}`)}${SUFFIX}`;

function claimsOf(token: string): { room: string; sub: string } {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as { room: string; sub: string };
}

const ask = (t: TestSidecar, room: string, user: string, viaState = false): Promise<Response> => {
  const query = viaState
    ? `state=${jitsiState({ room, roomSafe: clientBackendSafeRoomName(room), tenant: TENANT })}`
    : `room=${encodeURIComponent(room)}&tenant=${TENANT}`;
  return get(`${t.front}/redirectWithToken?${query}`, spHeaders({ eppn: user, mail: user }));
};

describe('http: one room value decides a private room (issue 19)', () => {
  describe('with Jicofo unreachable', () => {
    let t: TestSidecar;
    before(async () => {
      t = await startTestSidecar({ JWT_TOKEN_MODE: 'advanced', JICOFO_ROOM_ENDPOINTS: `http://127.0.0.1:${await closedPort()}/debug` });
    });
    after(() => t.stop());

    const spellings: Record<string, string> = {
      'as given': victimRoom,
      'the last c as %63': victimRoom.replace(/c$/, '%63'),
      'an _ as %5f': victimRoom.replace('__', '%5f_'),
      'an _ as %5F': victimRoom.replace('__', '_%5F'),
      'a - as %2d': victimRoom.replace('-', '%2d'),
      'a full-width ｃ': victimRoom.replace(/c$/, '\uff43'),
      'upper case': victimRoom.toUpperCase(),
      'upper case, %5F and a full-width Ｃ': victimRoom.toUpperCase().replace('__', '%5F_').replace(/C$/, '\uff23'),
    };
    for (const [what, spelled] of Object.entries(spellings)) {
      for (const viaState of [false, true]) {
        it(`${what}${viaState ? ' (in {state})' : ''}: refused to a non-owner, no token anywhere; the owner admitted to the victim's room`, async () => {
          expect(clientBackendSafeRoomName(spelled)).to.equal(clientBackendSafeRoomName(victimRoom)); // the same MUC room
          const refused = await ask(t, spelled, GUEST, viaState);
          const whole = await wholeResponse(refused);
          expect(refused.status, whole.slice(0, 300)).to.be.oneOf([403, 503]);
          expect(refused.headers.get('location')).to.equal(null);
          expect(containsToken(whole)).to.equal(false);

          const admitted = await ask(t, spelled, OWNER, viaState);
          expect(admitted.status).to.equal(302);
          const claims = claimsOf(clientTokenOf(admitted.headers.get('location')));
          expect([claims.room, claims.sub]).to.deep.equal([clientBackendSafeRoomName(victimRoom), TENANT]);
        });
      }
    }
  });

  it('property: a token is issued exactly when the room Prosody will enforce is not private, is the user\'s, or Jicofo lists that very room', async () => {
    const jicofo = new FakeJicofo();
    await jicofo.start();
    // Each case changes Jicofo's listing: no answer is reused across cases (answerTtlMs 0); one
    // user asks 300 times, past the front rate limit.
    const t = await startTestSidecar({ JWT_TOKEN_MODE: 'advanced', JICOFO_ROOM_ENDPOINTS: jicofo.url, FRONT_RATE_LIMIT: '0' }, ({ cfg, policy }) => ({
      policy,
      cfg: { ...cfg, jicofo: { ...cfg.jicofo, answerTtlMs: 0 } },
    }));
    // Rooms that are spellings of private rooms (some the guest's own), and anything else.
    const name = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', '_', '-', '.', ' ', 'é'), minLength: 1, maxLength: 6 });
    const privateRoom = fc.tuple(name, fc.constantFrom(GUEST, OWNER)).map(([n, owner]) => `${n}__${uidOf(`${n}${owner}`)}${SUFFIX}`);
    const anyRoom = fc.string({ unit: fc.constantFrom('a', 'c', '_', '-', '%', '5', 'f', 'F', '6', '3', '\uff43', 'Ａ', 'é', ' ', '*', '/'), minLength: 1, maxLength: 30 });
    const room = fc.oneof(
      fc.tuple(privateRoom, fc.array(fc.nat(4), { maxLength: 60 })).map(([r, choices]) => respellRoom(r, choices)),
      anyRoom,
    );
    try {
      await fc.assert(
        fc.asyncProperty(room, fc.boolean(), fc.boolean(), fc.boolean(), async (spelled, listRoom, listOther, viaState) => {
          const safe = clientBackendSafeRoomName(spelled);
          jicofo.rooms = [...(listRoom ? [`[${TENANT}]${safe}`] : []), ...(listOther ? [`[${TENANT}]${safe}x`, safe] : [])];
          const res = await ask(t, spelled, GUEST, viaState);
          if (res.status === 400) return; // not a room name Jitsi could produce: no question asked
          const m = PRIVATE_ROOM.exec(safeDecodeURIComponent(safe));
          const expected = m === null || uidOf(`${m[1]}${GUEST}`) === m[2] || listRoom;
          const whole = await wholeResponse(res);
          expect(res.status === 302, `${JSON.stringify(spelled)} → ${res.status} ${whole.slice(0, 200)}`).to.equal(expected);
          if (res.status === 302) expect(claimsOf(clientTokenOf(res.headers.get('location'))).room).to.equal(safe);
          else expect(containsToken(whole)).to.equal(false);
        }),
        { numRuns: 300 },
      );
    } finally {
      await t.stop();
      await jicofo.stop();
    }
  });
});
