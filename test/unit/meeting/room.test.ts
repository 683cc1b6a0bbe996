import { expect } from 'chai';
import fc from 'fast-check';
import { parseRoom } from '../../../sidecar/src/meeting/room';
import { conferenceLocalPart } from '../../../sidecar/src/policy/jicofo-probe';
import { buildClaims } from '../../../sidecar/src/token/assign-claims';
import { Refusal } from '../../../sidecar/src/refusal';
import { testConfig } from '../../support/config-fixture';
import { clientBackendSafeRoomName, safeDecodeURIComponent } from '../../support/jitsi-client';

const parsed = (raw: string) => {
  try {
    return parseRoom(raw);
  } catch (err) {
    if (err instanceof Refusal) return undefined;
    throw err;
  }
};

describe('meeting/room: parseRoom', () => {
  it('holds the name as given, decoded, normalised and backend-safe', () => {
    expect({ ...parseRoom('R%C3%A9union%20%C3%89quipe') }).to.deep.equal({
      given: 'R%C3%A9union%20%C3%89quipe',
      decoded: 'Réunion Équipe',
      normalized: 'réunion équipe',
      backendSafe: 'r%c3%a9union%20%c3%a9quipe',
    });
    expect(parseRoom('ＡＢＣ').backendSafe).to.equal('abc');
  });

  it('is immutable: a later step cannot swap the room it was given', () => {
    const room = parseRoom('standup');
    expect(Object.isFrozen(room)).to.equal(true);
    expect(() => Object.assign(room, { backendSafe: 'other' })).to.throw(TypeError);
  });

  it('refuses `*` in any form, a full-width `＊` included', () => {
    for (const bad of ['*', 'a%2Ab', '\uff0a', 'a\uff0ab']) expect(parsed(bad), bad).to.equal(undefined);
  });

  it('property: for any string it accepts, the forms are the client\'s, and the Jicofo question and the claim name the same room', () => {
    const cfg = testConfig();
    const user = { id: 'u', name: 'U', email: 'u@uni.example' };
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.string({ unit: fc.constantFrom('a', 'C', '%', '2', '5', 'f', 'F', '_', 'é', '\uff43', 'İ', ' '), maxLength: 20 })), (raw) => {
        const room = parsed(raw);
        fc.pre(room !== undefined);
        expect(room.backendSafe).to.equal(clientBackendSafeRoomName(raw));
        expect(room.decoded).to.equal(safeDecodeURIComponent(raw));
        expect(decodeURIComponent(room.backendSafe)).to.equal(room.normalized); // one name behind the claim
        const claims = buildClaims({ user, room, features: {} }, cfg, 1_900_000_000);
        expect(conferenceLocalPart(room, undefined)).to.equal(claims.room);
        expect(conferenceLocalPart(room, 'Acme')).to.equal(`[acme]${claims.room}`);
      }),
      { numRuns: 2000 },
    );
  });
});
