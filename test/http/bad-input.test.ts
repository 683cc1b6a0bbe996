// Every way a request can be wrong gets a 4xx with no token anywhere in the response.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { bearer, containsToken, get, jitsiState, spHeaders, startTestSidecar, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const enc = encodeURIComponent;
const now = (): number => Math.floor(Date.now() / 1000);
const big = 'a'.repeat(10 * 1024);
const CRLF = '%0D%0ASet-Cookie:%20x=1';

interface Case {
  name: string;
  listener?: 'front' | 'backend';
  path: () => string;
  headers?: () => Record<string, string>;
  status: number;
  reason?: string;
}

const cases: Case[] = [
  { name: '* as room', path: () => '/redirectWithToken?room=*', status: 400, reason: 'invalid_room' },
  { name: '* inside room', path: () => '/redirectWithToken?room=ab*', status: 400, reason: 'invalid_room' },
  { name: '* as tenant', path: () => '/redirectWithToken?room=a&tenant=*', status: 400, reason: 'invalid_tenant' },
  { name: 'missing room', path: () => '/redirectWithToken?tenant=acme', status: 400, reason: 'missing_room' },
  { name: 'empty room', path: () => '/redirectWithToken?room=', status: 400, reason: 'missing_room' },
  { name: 'unsubstituted {room}', path: () => '/redirectWithToken?room={room}', status: 400, reason: 'missing_room' },
  { name: 'whitespace-only room', path: () => '/redirectWithToken?room=%20%20', status: 400, reason: 'invalid_room' },
  { name: 'room with /', path: () => `/redirectWithToken?room=${enc('a/b')}`, status: 400, reason: 'invalid_room' },
  { name: 'room with ?', path: () => `/redirectWithToken?room=${enc('a?b')}`, status: 400, reason: 'invalid_room' },
  { name: 'room with #', path: () => `/redirectWithToken?room=${enc('a#b')}`, status: 400, reason: 'invalid_room' },
  { name: 'room with quote', path: () => `/redirectWithToken?room=${enc(`a'b`)}`, status: 400, reason: 'invalid_room' },
  { name: 'room of 129 characters', path: () => `/redirectWithToken?room=${'r'.repeat(129)}`, status: 400, reason: 'invalid_room' },
  { name: 'tenant ../', path: () => `/redirectWithToken?room=a&tenant=${enc('../')}`, status: 400, reason: 'invalid_tenant' },
  { name: 'tenant ..', path: () => '/redirectWithToken?room=a&tenant=..', status: 400, reason: 'invalid_tenant' },
  { name: 'tenant //evil.example', path: () => `/redirectWithToken?room=a&tenant=${enc('//evil.example')}`, status: 400, reason: 'invalid_tenant' },
  { name: 'tenant https://evil.example', path: () => `/redirectWithToken?room=a&tenant=${enc('https://evil.example')}`, status: 400, reason: 'invalid_tenant' },
  { name: 'CRLF in room', path: () => `/redirectWithToken?room=a${CRLF}`, status: 400, reason: 'control_character' },
  { name: 'CRLF in tenant', path: () => `/redirectWithToken?room=a&tenant=t${CRLF}`, status: 400, reason: 'control_character' },
  { name: 'CRLF in state', path: () => `/redirectWithToken?state=${enc('{"room":"a')}${CRLF}${enc('"}')}`, status: 400, reason: 'control_character' },
  { name: 'CRLF in validity_timestamp', path: () => `/redirectWithToken?room=a&validity_timestamp=${now() + 60}${CRLF}`, status: 400, reason: 'control_character' },
  { name: 'CRLF in jitsi_meet_external_api_id', path: () => `/redirectWithToken?room=a&jitsi_meet_external_api_id=1${CRLF}`, status: 400, reason: 'control_character' },
  { name: '10 kB room', path: () => `/redirectWithToken?room=${big}`, status: 400, reason: 'parameter_too_long' },
  { name: '10 kB tenant', path: () => `/redirectWithToken?room=a&tenant=${big}`, status: 400, reason: 'parameter_too_long' },
  { name: '10 kB state', path: () => `/redirectWithToken?state=${jitsiState({ room: 'a', 'config.subject': big })}`, status: 400, reason: 'parameter_too_long' },
  { name: '10 kB unknown parameter', path: () => `/redirectWithToken?room=a&x=${big}`, status: 400, reason: 'parameter_too_long' },
  { name: 'external api id 1&config.foo=bar', path: () => `/redirectWithToken?room=a&jitsi_meet_external_api_id=${enc('1&config.foo=bar')}`, status: 400, reason: 'invalid_external_api_id' },
  { name: 'external api id with #', path: () => `/redirectWithToken?room=a&jitsi_meet_external_api_id=${enc('1#x')}`, status: 400, reason: 'invalid_external_api_id' },
  { name: 'duplicate room', path: () => '/redirectWithToken?room=a&room=b', status: 400, reason: 'duplicate_parameter' },
  { name: 'malformed state', path: () => `/redirectWithToken?room=a&state=${enc('{"room":')}`, status: 400, reason: 'malformed_state' },
  { name: 'state that is not an object', path: () => `/redirectWithToken?room=a&state=${enc('["a"]')}`, status: 400, reason: 'malformed_state' },
  { name: 'state with a non-string room', path: () => `/redirectWithToken?state=${jitsiState({ room: 5 })}`, status: 400, reason: 'malformed_state' },
  { name: '* room inside state', path: () => `/redirectWithToken?room=ok&state=${jitsiState({ room: '*' })}`, status: 400, reason: 'invalid_room' },
  { name: 'validity_timestamp in the past', path: () => `/redirectWithToken?room=a&validity_timestamp=${now() - 10}`, status: 400, reason: 'validity_in_past' },
  { name: 'validity_timestamp beyond the cap', path: () => `/redirectWithToken?room=a&validity_timestamp=${now() + 86400 * 30}`, status: 400, reason: 'validity_beyond_cap' },
  { name: 'validity_timestamp not an integer', path: () => `/redirectWithToken?room=a&validity_timestamp=${now() + 60}.5`, status: 400, reason: 'invalid_validity_timestamp' },
  { name: 'forged identity without the proxy secret', path: () => '/redirectWithToken?room=a', headers: () => ({ mail: 'boss@uni.example' }), status: 401, reason: 'untrusted_proxy' },
  { name: 'wrong proxy secret', path: () => '/redirectWithToken?room=a', headers: () => spHeaders({}, randomBytes(32).toString('hex')), status: 401, reason: 'untrusted_proxy' },
  { name: 'identity without any user id', path: () => '/redirectWithToken?room=a', headers: () => ({ 'x-saml2jwt-proxy-secret': spHeaders()['x-saml2jwt-proxy-secret'] as string, displayname: 'No One' }), status: 403, reason: 'no_user_id' },
  { name: 'escape page with * room', path: () => '/redirectWithTokenEscape?room=*', status: 400, reason: 'invalid_room' },
  { name: 'backend getToken without a key', listener: 'backend', path: () => '/getToken?mail=a@uni.example&room=a', headers: () => ({}), status: 401, reason: 'bad_api_key' },
  { name: 'backend getToken with a wrong key', listener: 'backend', path: () => '/getToken?mail=a@uni.example&room=a', headers: () => bearer(randomBytes(32).toString('hex')), status: 401, reason: 'bad_api_key' },
  { name: 'backend getToken with a Basic header', listener: 'backend', path: () => '/getToken?mail=a@uni.example&room=a', headers: () => ({ authorization: `Basic ${bearer().authorization?.slice(7)}` }), status: 401, reason: 'bad_api_key' },
  { name: 'backend getToken with * room', listener: 'backend', path: () => '/getToken?mail=a@uni.example&room=*', status: 400, reason: 'invalid_room' },
  { name: 'backend getToken without room', listener: 'backend', path: () => '/getToken?mail=a@uni.example', status: 400, reason: 'missing_room' },
  { name: 'backend getToken with a non-address mail', listener: 'backend', path: () => '/getToken?mail=nobody&room=a', status: 400, reason: 'invalid_mail' },
  { name: 'backend getToken with a past validity', listener: 'backend', path: () => `/getToken?mail=a@uni.example&room=a&validity_timestamp=${now() - 1}`, status: 400, reason: 'validity_in_past' },
  { name: 'backend validateToken without a key', listener: 'backend', path: () => '/validateToken?jwt=x.y.z', headers: () => ({}), status: 401, reason: 'bad_api_key' },
];

describe('http: bad input is refused, with no token in the response', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ BACKEND_RATE_LIMIT: '100000' });
  });
  after(() => t.stop());

  for (const c of cases) {
    it(`${c.name} → ${c.status}`, async () => {
      const listener = c.listener ?? 'front';
      const headers = c.headers ? c.headers() : listener === 'front' ? spHeaders() : bearer();
      const res = await get(`${listener === 'front' ? t.front : t.backend}${c.path()}`, headers);
      const whole = await wholeResponse(res);
      expect(res.status, whole.slice(0, 400)).to.equal(c.status);
      expect(res.headers.get('location')).to.equal(null);
      expect(containsToken(whole), 'token-shaped text in the response').to.equal(false);
      if (c.reason) expect(whole).to.include(c.reason);
      expect(whole).to.not.include('Set-Cookie: x=1');
    });
  }

  it('writes exactly one audit line per refused token request, without a token (no flood yet)', async () => {
    // A sidecar of its own: the cases above are a flood from one address, summarised (refusal-flood.test.ts).
    const quiet = await startTestSidecar();
    try {
      await get(`${quiet.front}/redirectWithToken?room=*`, spHeaders());
      const refused = quiet.logs.filter((l) => l.event === 'token_refused');
      expect(refused).to.have.length(1);
      expect(refused[0]).to.include({ endpoint: 'redirectWithToken', reason: 'invalid_room', status: 400, clientAddress: '127.0.0.1' });
      expect(quiet.rawLogs.some((line) => containsToken(line))).to.equal(false);
    } finally {
      await quiet.stop();
    }
    expect(t.rawLogs.some((line) => containsToken(line))).to.equal(false);
  });
});
