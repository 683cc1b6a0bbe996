// Which client asked: only state's app markers and the popup's nonce decide (JITSI.md "Clients").
import { expect } from 'chai';
import { meetingRequestQuery, parseMeetingRequest } from '../../../sidecar/src/meeting/meeting-request';
import { readParams } from '../../../sidecar/src/http/query';
import { refusalOf } from '../../support/refusal';

const NONCE = 'ab'.repeat(32);
const state = (fields: Record<string, unknown>): string => JSON.stringify({ room: 'r', tenant: '', ...fields });
const clientOf = (params: Record<string, string>) => parseMeetingRequest({ room: 'r', ...params }).client;

describe('meeting: login client detection', () => {
  it('a request without markers is a browser (full-page redirect)', () => {
    expect(clientOf({})).to.deep.equal({ kind: 'browser' });
    expect(clientOf({ state: state({ ios: false, android: null }) })).to.deep.equal({ kind: 'browser' });
    expect(clientOf({ nonce: '' })).to.deep.equal({ kind: 'browser' });
  });

  for (const app of ['ios', 'android', 'electron'] as const) {
    it(`state.${app} = true is the ${app} app`, () => {
      expect(clientOf({ state: state({ [app]: true }) })).to.deep.equal({ kind: 'app', app });
    });
  }

  it('a 64-hex nonce is the inline popup', () => {
    expect(clientOf({ nonce: NONCE })).to.deep.equal({ kind: 'popup', nonce: NONCE });
  });

  it('refuses a nonce that is not 64 lower-case hex digits', () => {
    for (const nonce of ['ab'.repeat(31), 'ab'.repeat(33), 'AB'.repeat(32), 'zz'.repeat(32), `${'a'.repeat(63)}<`]) {
      expect(refusalOf(() => clientOf({ nonce })).reason, nonce).to.equal('invalid_nonce');
    }
  });

  it('refuses a marker that is not a boolean', () => {
    for (const value of ['true', 1, {}, []]) {
      expect(refusalOf(() => clientOf({ state: state({ ios: value }) })).reason).to.equal('malformed_state');
    }
  });

  it('refuses a request that claims two clients', () => {
    expect(refusalOf(() => clientOf({ state: state({ ios: true, android: true }) })).reason).to.equal('conflicting_client');
    expect(refusalOf(() => clientOf({ state: state({ electron: true }), nonce: NONCE })).reason).to.equal('conflicting_client');
  });

  it('ignores refreshToken and any other state field', () => {
    expect(clientOf({ state: state({ refreshToken: 'r3fr3sh', platform: 'ios', app: true }) })).to.deep.equal({ kind: 'browser' });
  });

  it('the escape page keeps the client (marker and nonce) when it re-serialises the request', () => {
    for (const params of [{ state: state({ android: true }) }, { nonce: NONCE }, {}] as Record<string, string>[]) {
      const request = parseMeetingRequest({ room: 'r', ...params });
      expect(parseMeetingRequest(readParams(meetingRequestQuery(request))).client).to.deep.equal(request.client);
    }
  });
});
