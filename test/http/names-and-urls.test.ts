// Property tests of the pieces that keep the redirect safe: whatever name passes validation
// lands, percent-encoded, as exactly one path segment under the public URL; and the rate
// limiter's window.
import { expect } from 'chai';
import fc from 'fast-check';
import { tenantName } from '../../sidecar/src/meeting/jitsi-names';
import { parseRoom } from '../../sidecar/src/meeting/room';
import { createMeetingUrls } from '../../sidecar/src/meeting/meeting-url';
import { meetingRequestQuery, parseMeetingRequest } from '../../sidecar/src/meeting/meeting-request';
import { readParams } from '../../sidecar/src/http/query';
import { RateLimiter, RateLimited } from '../../sidecar/src/http/rate-limit';
import { backendSafeRoomName } from '../../sidecar/src/meeting/backend-safe-room-name';
import { Refusal } from '../../sidecar/src/refusal';
import { clientJwtFromUrl, clientRoomNodeFromPath, safeDecodeURIComponent } from '../support/jitsi-client';

const accepted = (check: (s: string) => unknown, s: string): boolean => {
  try {
    check(s);
    return true;
  } catch (err) {
    if (!(err instanceof Refusal)) throw err;
    return false;
  }
};

// Names built from characters that matter most: URL syntax, dots, percent signs, unicode.
const tricky = fc.string({ unit: fc.constantFrom('a', 'Z', '.', '%', '2', 'e', '/', '\\', '?', '#', '&', ':', "'", '"', '*', ' ', '\n', 'é', '😀', '@', ';', '=', '(', ')', '!', '~', 'Ａ'), maxLength: 12 });

describe('http: names and URLs', () => {
  const urls = createMeetingUrls(new URL('https://meet.example.org/base'));

  it('puts every accepted room and tenant under the public URL as one decodable segment each, where the client joins the claimed room', () => {
    fc.assert(
      fc.property(tricky, fc.option(tricky, { nil: undefined }), (room, tenant) => {
        fc.pre(accepted(parseRoom, room) && (tenant === undefined || accepted(tenantName, tenant)));
        const location = urls.meeting(parseRoom(room), tenant, 'eyJh.eyJi.c2ln', { overrides: [] });
        const url = new URL(location);
        expect(url.origin).to.equal('https://meet.example.org');
        const segments = url.pathname.split('/').slice(1);
        expect(segments[0]).to.equal('base');
        // The room as typed, decoded once: the client's own decoding then yields the same name.
        expect(segments.slice(1).map(decodeURIComponent)).to.deep.equal(tenant === undefined ? [safeDecodeURIComponent(room)] : [tenant, safeDecodeURIComponent(room)]);
        // Parsed as Jitsi's client parses it (excluded characters stripped), the path leads to
        // the MUC room whose name the token carries.
        expect(clientRoomNodeFromPath(url.pathname.slice('/base'.length))).to.equal(backendSafeRoomName(room));
        // The client takes the token from the hash; no server on the way sees it.
        expect(clientJwtFromUrl(location)).to.deep.equal({ jwt: 'eyJh.eyJi.c2ln', from: 'hash' });
        expect(url.search).to.equal('');
        expect(urls.isUnderPublicUrl(location)).to.equal(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('app links are the meeting URL under the app\'s scheme; Android\'s intent keeps its one #, so its token rides in the query and the hash is dropped', () => {
    const hash = { overrides: [['config.startWithAudioMuted', true]] as [string, boolean][], externalApiId: '7' };
    fc.assert(
      fc.property(tricky, fc.option(tricky, { nil: undefined }), (room, tenant) => {
        fc.pre(accepted(parseRoom, room) && (tenant === undefined || accepted(tenantName, tenant)));
        const meeting = urls.meeting(parseRoom(room), tenant, 'eyJh.eyJi.c2ln', hash);
        const web = meeting.slice('https://'.length);
        expect(urls.appLink('ios', parseRoom(room), tenant, 'eyJh.eyJi.c2ln', hash)).to.equal(`org.jitsi.meet://${web}`);
        expect(urls.appLink('electron', parseRoom(room), tenant, 'eyJh.eyJi.c2ln', hash)).to.equal(`jitsi-meet://${web}`);
        const android = urls.appLink('android', parseRoom(room), tenant, 'eyJh.eyJi.c2ln', hash);
        expect(android.split('#')).to.have.length(2);
        expect(android).to.equal(`intent://${web.slice(0, web.indexOf('#'))}?jwt=eyJh.eyJi.c2ln#Intent;scheme=org.jitsi.meet;package=org.jitsi.meet;end`);
        for (const app of ['ios', 'electron'] as const) {
          expect(clientJwtFromUrl(urls.appLink(app, parseRoom(room), tenant, 'eyJh.eyJi.c2ln', hash))).to.deep.equal({ jwt: 'eyJh.eyJi.c2ln', from: 'hash' });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses the characters Jitsi refuses, `*`, dot segments and over-long names', () => {
    for (const bad of ['*', 'a*', 'a/b', 'a?b', 'a#b', 'a&b', 'a:b', "a'b", 'a"b', '.', '..', ' ', 'a\r\nb', 'x'.repeat(129)]) {
      expect(accepted(parseRoom, bad), JSON.stringify(bad)).to.equal(false);
      expect(accepted(tenantName, bad), JSON.stringify(bad)).to.equal(false);
    }
    expect(accepted(parseRoom, 'x'.repeat(128))).to.equal(true);
  });

  it('re-serialises a parsed request into a query that parses to the same request', () => {
    fc.assert(
      fc.property(tricky, fc.option(tricky, { nil: undefined }), fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }), (room, tenant, exp) => {
        const query = new URLSearchParams({ room });
        if (tenant !== undefined) query.set('tenant', tenant);
        if (exp !== undefined) query.set('validity_timestamp', String(exp));
        let parsed;
        try {
          parsed = parseMeetingRequest(readParams(query.toString()));
        } catch (err) {
          if (err instanceof Refusal) return;
          throw err;
        }
        expect(parseMeetingRequest(readParams(meetingRequestQuery(parsed)))).to.deep.equal(parsed);
      }),
      { numRuns: 1000 },
    );
  });

  it('the rate limiter refuses beyond the budget with Retry-After, and starts afresh after a minute', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, () => now);
    limiter.take('a');
    limiter.take('a');
    limiter.take('b');
    now += 15_000;
    let refusal: unknown;
    try {
      limiter.take('a');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).to.be.instanceOf(RateLimited);
    expect((refusal as RateLimited).retryAfterSeconds).to.equal(45);
    now += 45_000;
    expect(() => limiter.take('a')).to.not.throw();
  });
});
