import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { parseRoom } from '../../../sidecar/src/meeting/room';
import { respellRoom } from '../../support/room-spellings';
import { generateId, isPrivateTenant, parsePrivateRoomName, privateRoomEntitled } from '../../../sidecar/src/policy/private-room';

// The reference's algorithm, written out step by step independently of the module under test.
function referenceId(input: string, n: number): string {
  const b64 = createHash('sha256').update(Buffer.from(input.toLowerCase(), 'utf8')).digest().toString('base64');
  let out = '';
  for (const ch of b64) {
    if (ch === '=') continue;
    out += ch === '+' || ch === '/' ? '-' : ch;
  }
  return out.toLowerCase().substring(0, n);
}

const SUFFIX = '_0a1b2c-3d4e5f-6a7b8c';

describe('policy/private-room: generateId', () => {
  for (const input of ['', 'a', 'Team Meetingalice@uni.example', 'ÜBER-raum✓bob@uni.example', 'x'.repeat(500)]) {
    it(`matches the reference algorithm for ${JSON.stringify(input.slice(0, 30))}`, () => {
      for (const n of [1, 6, 12, 43]) expect(generateId(input, n)).to.equal(referenceId(input, n));
    });
  }

  it('is case-insensitive in its input and lower-case in its output', () => {
    expect(generateId('ROOMAlice@UNI.example', 12)).to.equal(generateId('roomalice@uni.example', 12));
    expect(generateId('anything', 43)).to.match(/^[a-z0-9-]+$/);
  });

  it('a known vector: sha256("abc") base64 is ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', () => {
    // Published SHA-256 test vector; + and / become -, = dropped, lower-cased.
    expect(generateId('abc', 43)).to.equal('ungwv48bz-pbqudexa4ii7adyaowf3qctbd-yfiafa0');
  });
});

describe('policy/private-room: parsePrivateRoomName', () => {
  it('parses name and uid', () => {
    expect(parsePrivateRoomName(parseRoom(`team__abcdefabcdef${SUFFIX}`))).to.deep.equal({ name: 'team', uid: 'abcdefabcdef' });
  });
  it('the name may itself contain __ (greedy, as the reference regex)', () => {
    expect(parsePrivateRoomName(parseRoom(`a__b__uid${SUFFIX}`))).to.deep.equal({ name: 'a__b', uid: 'uid' });
  });
  it('rooms not of that form give undefined', () => {
    expect(parsePrivateRoomName(parseRoom('team'))).to.equal(undefined);
    expect(parsePrivateRoomName(parseRoom(`team_uid${SUFFIX}`))).to.equal(undefined);
    expect(parsePrivateRoomName(parseRoom('team__uid_0a1b2c-3d4e5f-6a7b8'))).to.equal(undefined);
    expect(parsePrivateRoomName(parseRoom(`team__uid${SUFFIX}x`))).to.equal(undefined);
  });
  it('parses the lower-cased room, so upper-case hex cannot dodge the check', () => {
    expect(parsePrivateRoomName(parseRoom(`Team__UID_0A1B2C-3D4E5F-6A7B8C`))).to.deep.equal({ name: 'team', uid: 'uid' });
  });
});

describe('policy/private-room: privateRoomEntitled', () => {
  const mail = 'alice@uni.example';
  const room = `team__${referenceId(`team${mail}`, 12)}${SUFFIX}`;

  it('the owner is entitled', () => expect(privateRoomEntitled(parseRoom(room), mail)).to.equal(true));
  it('the owner with another mail case is entitled', () => expect(privateRoomEntitled(parseRoom(room), 'Alice@UNI.example')).to.equal(true));
  it('someone else is not', () => expect(privateRoomEntitled(parseRoom(room), 'bob@uni.example')).to.equal(false));
  it('Authorized_By_<owner mail> is entitled', () => expect(privateRoomEntitled(parseRoom(room), `Authorized_By_${mail}`)).to.equal(true));
  it('Authorized_By_ only as a prefix', () => expect(privateRoomEntitled(parseRoom(room), `x_Authorized_By_${mail}`)).to.equal(false));
  it('rooms not of the private form are open to everyone', () => expect(privateRoomEntitled(parseRoom('weekly-sync'), 'bob@uni.example')).to.equal(true));
  it('without a scoped id nobody owns a private room', () => expect(privateRoomEntitled(parseRoom(room), undefined)).to.equal(false));
  it('an upper-cased private room is still checked', () => {
    expect(privateRoomEntitled(parseRoom(room.toUpperCase()), 'bob@uni.example')).to.equal(false);
    expect(privateRoomEntitled(parseRoom(room.toUpperCase()), mail)).to.equal(true);
  });
});

describe('policy/private-room: isPrivateTenant', () => {
  it('tenants containing "private"', () => {
    expect(isPrivateTenant('private')).to.equal(true);
    expect(isPrivateTenant('acme-private-rooms')).to.equal(true);
    expect(isPrivateTenant('PRIVATE')).to.equal(true);
  });
  it('others and no tenant', () => {
    expect(isPrivateTenant('acme')).to.equal(false);
    expect(isPrivateTenant('')).to.equal(false);
    expect(isPrivateTenant(undefined)).to.equal(false);
  });
});

// Issue 19: the pattern and the owner are read from the name Prosody will enforce, so another
// spelling of a private room neither escapes the check nor changes the owner.
describe('policy/private-room: every spelling of a private room is the same private room', () => {
  const owner = 'owner-1@uni.example';
  const room = `standup__${referenceId(`standup${owner}`, 12)}${SUFFIX}`;
  const spellings: Record<string, string> = {
    'the last c as %63': room.replace(/c$/, '%63'),
    'an _ as %5f': room.replace('__', '%5f_'),
    'an _ as %5F': room.replace('__', '_%5F'),
    'a - as %2d': room.replace('-', '%2d'),
    'a - as %2D': room.replace('-', '%2D'),
    'a full-width ｃ (NFKC)': room.replace(/c$/, '\uff43'),
    'a full-width ＿ (NFKC)': room.replace('__', '\uff3f_'),
    'upper case': room.toUpperCase(),
    'all at once': room.toUpperCase().replace('__', '%5F\uff3f').replace(/C$/, '%63'),
  };
  for (const [what, spelled] of Object.entries(spellings)) {
    it(`${what}: the same backend-safe room, refused to others, the owner's`, () => {
      expect(parseRoom(spelled).backendSafe).to.equal(parseRoom(room).backendSafe);
      expect(privateRoomEntitled(parseRoom(spelled), 'guest-9@uni.example')).to.equal(false);
      expect(privateRoomEntitled(parseRoom(spelled), owner)).to.equal(true);
    });
  }

  it('ASCII private-room links keep the owner they had (the name as given, lower-cased)', () => {
    const mixed = `StandUp__${referenceId(`standup${owner}`, 12)}${SUFFIX}`;
    expect(parsePrivateRoomName(parseRoom(mixed))).to.deep.equal({ name: 'standup', uid: referenceId(`standup${owner}`, 12) });
  });

  it('property: two spellings with one backend-safe name have one verdict for every user', () => {
    const base = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', '1', '_', '-', '.'), minLength: 1, maxLength: 8 });
    fc.assert(
      fc.property(base, fc.constantFrom(owner, 'guest-9@uni.example'), fc.boolean(), fc.array(fc.nat(4), { maxLength: 40 }), (name, user, ownedByUser, choices) => {
        const uid = ownedByUser ? referenceId(`${name}${user}`, 12) : referenceId(`${name}someone-else`, 12);
        const original = `${name}__${uid}${SUFFIX}`;
        const spelled = respellRoom(original, choices);
        const a = parseRoom(original);
        const b = parseRoom(spelled);
        expect(b.backendSafe).to.equal(a.backendSafe);
        expect(privateRoomEntitled(b, user), spelled).to.equal(privateRoomEntitled(a, user));
        expect(privateRoomEntitled(b, user), spelled).to.equal(ownedByUser);
      }),
      { numRuns: 2000 },
    );
  });
});
