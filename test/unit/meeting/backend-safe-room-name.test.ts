// The room claim must be the MUC node the Jitsi client joins (JITSI.md "Which room name a token
// must carry"). The table is the client's exact output; the property test mints real tokens and
// asks the independent Prosody model (which computes the client's name on its own).
import { expect } from 'chai';
import fc from 'fast-check';
import { parseRoom } from '../../../sidecar/src/meeting/room';
import { backendSafeRoomName, isBackendSafeRoomName } from '../../../sidecar/src/meeting/backend-safe-room-name';
import { mintToken } from '../../../sidecar/src/token/mint';
import { createSigner } from '../../../sidecar/src/token/sign';
import { Refusal } from '../../../sidecar/src/refusal';
import { TEST_APP_SECRET, testConfig } from '../../support/config-fixture';
import { clientBackendSafeRoomName } from '../../support/jitsi-client';
import { prosodyAccepts } from '../../support/prosody-verifier';
import { refusalOf } from '../../support/refusal';

const LONG = 'É'.repeat(100) + 'e'.repeat(100);

// [room as typed, what jitsi-meet's getBackendSafeRoomName returns]
const CLIENT_OUTPUT: [string, string][] = [
  ['Réunion équipe', 'r%c3%a9union%20%c3%a9quipe'],
  ['my room', 'my%20room'],
  ['Café', 'caf%c3%a9'],
  ['ＡＢＣ', 'abc'], // full-width letters: NFKC folds them
  ['straße', 'stra%c3%9fe'], // lower-casing keeps ß (no upper-case round trip)
  ['a%20b', 'a%20b'], // already encoded: decoded first, so not encoded twice
  ['100%', '100%25'], // not valid percent-encoding: kept as it is, then encoded
  ['Team 😀', 'team%20%f0%9f%98%80'],
  ['Планёрка', '%d0%bf%d0%bb%d0%b0%d0%bd%d1%91%d1%80%d0%ba%d0%b0'],
  ["it's (a) test! *~", "it's%20(a)%20test!%20*~"], // encodeURIComponent leaves '()!*~ alone
  ['MyRoom', 'myroom'],
  ['ﬁle', 'file'], // NFKC splits the ligature
  [LONG, '%c3%a9'.repeat(100) + 'e'.repeat(100)],
];

describe('meeting: backendSafeRoomName', () => {
  for (const [typed, expected] of CLIENT_OUTPUT) {
    it(`${JSON.stringify(typed.length > 30 ? `${typed.slice(0, 12)}… (${typed.length} chars)` : typed)} → ${expected.length > 40 ? `${expected.slice(0, 30)}…` : expected}`, () => {
      expect(backendSafeRoomName(typed)).to.equal(expected);
      expect(isBackendSafeRoomName(expected)).to.equal(true);
    });
  }

  it('says a name as typed is not in the form the client joins', () => {
    expect(isBackendSafeRoomName('réunion équipe')).to.equal(false);
    expect(isBackendSafeRoomName('MyRoom')).to.equal(false);
    expect(isBackendSafeRoomName('my room')).to.equal(false);
    expect(isBackendSafeRoomName('\ud800')).to.equal(false);
  });

  it('agrees with the client on arbitrary Unicode (the independent transcription in test/support)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (name) => {
        expect(backendSafeRoomName(name)).to.equal(clientBackendSafeRoomName(name));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('meeting: room names refused in the form the client joins', () => {
  it('refuses a name that decodes to `*`, a dot segment or a control character', () => {
    for (const bad of ['%2a', '%2A', 'a%2Ab', '%2e', '%2e%2e', '%0a', '%20']) {
      expect(refusalOf(() => parseRoom(bad)).reason, bad).to.equal('invalid_room');
    }
  });

  it('refuses a name whose MUC node outgrows an XMPP local part (1023 bytes)', () => {
    expect(parseRoom('会'.repeat(113)).given).to.equal('会'.repeat(113)); // 113 × 9 = 1017 bytes
    const refusal = refusalOf(() => parseRoom('会'.repeat(114)));
    expect(refusal).to.be.instanceOf(Refusal);
    expect(refusal.message).to.match(/too long once encoded/);
  });
});

describe('token: every room claim is the backend-safe name (property)', () => {
  const cfg = testConfig();
  const sign = createSigner(TEST_APP_SECRET);
  const accepts = (token: string, room: string): boolean =>
    prosodyAccepts(token, {
      secret: TEST_APP_SECRET,
      acceptedIssuers: [cfg.jwt.appId],
      acceptedAudiences: [cfg.jwt.audience],
      room,
      xmppDomain: cfg.xmppDomain,
      domainVerification: true,
    }).ok;
  const valid = (name: string): boolean => {
    try {
      parseRoom(name);
      return true;
    } catch (err) {
      if (err instanceof Refusal) return false;
      throw err;
    }
  };
  const unicodeName = fc.oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    fc.string({ unit: fc.constantFrom('a', 'É', 'é', ' ', '%', '2', '0', 'ß', 'Ａ', '😀', 'п', '(', '!', '~', 'İ'), minLength: 1, maxLength: 20 }),
  );

  it('claims backendSafeRoomName(room); Prosody takes it for that room and for no other', () => {
    fc.assert(
      fc.property(unicodeName, unicodeName, (room, other) => {
        fc.pre(valid(room));
        const { token, claims } = mintToken({ user: { id: 'u', name: 'U', email: 'u@uni.example' }, room: parseRoom(room), features: {} }, cfg, sign);
        expect(claims.room).to.equal(backendSafeRoomName(room));
        expect(accepts(token, room), `token for ${JSON.stringify(room)}`).to.equal(true);
        if (clientBackendSafeRoomName(other) !== clientBackendSafeRoomName(room)) {
          expect(accepts(token, other), `token for ${JSON.stringify(room)} opens ${JSON.stringify(other)}`).to.equal(false);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
