// Requests no HTTP client library would send: malformed request lines and headers, smuggling
// attempts, proxy-secret look-alikes, pipelining. Written to a socket byte by byte as we choose.
import fc from 'fast-check';

export interface RawCase {
  kind: string;
  bytes: Buffer;
  /** refuse: no token may come back; either: a token may, but only for `room` at the root. */
  expect: 'refuse' | 'either' | 'one-of-two';
  /** Oversized requests: the server may close before we finish writing. */
  mayReset?: boolean;
  room: string;
}

const CRLF = '\r\n';

export interface RawParams {
  port: number;
  secret: string;
}

type Build = (p: RawParams, room: string) => Omit<RawCase, 'kind' | 'room'>;

const target = (room: string): string => `/redirectWithToken?room=${encodeURIComponent(room)}`;
const good = (p: RawParams, extra: string[] = [], secretLine = `X-Saml2jwt-Proxy-Secret: ${p.secret}`): string[] => [
  `Host: 127.0.0.1:${p.port}`,
  secretLine,
  'mail: raw@uni.example',
  ...extra,
  'Connection: close',
];
const request = (line: string, headers: string[], eol = CRLF, body = ''): Buffer => Buffer.from(`${line}${eol}${headers.join(eol)}${eol}${eol}${body}`, 'latin1');

export const RAW_KINDS: Record<string, Build> = {
  'well-formed (control)': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p)), expect: 'either' }),
  'bare LF line endings': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p), '\n'), expect: 'either' }),
  'obs-fold continuation of mail': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p).filter((l) => !l.startsWith('mail')), 'mail: a@uni.example', ' b@uni.example']), expect: 'either' }),
  'obs-fold continuation of the secret': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p, [], 'X-Saml2jwt-Proxy-Secret: x'), ` ${p.secret}`]), expect: 'refuse' }),
  'header line without colon': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, ['garbage'])), expect: 'refuse' }),
  'space before the colon of the secret': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, [], `X-Saml2jwt-Proxy-Secret : ${p.secret}`)), expect: 'refuse' }),
  'NUL in the mail value': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p).filter((l) => !l.startsWith('mail')), 'mail: a\u0000@uni.example']), expect: 'refuse' }),
  'control character in the mail value': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p).filter((l) => !l.startsWith('mail')), 'mail: a\u0001@uni.example']), expect: 'refuse' }),
  'invalid UTF-8 in the mail value': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p).filter((l) => !l.startsWith('mail')), 'mail: caf\u00e9@uni.example']), expect: 'either' }),
  '20 kB header': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, [`x-pad: ${'p'.repeat(20_000)}`])), expect: 'refuse', mayReset: true }),
  '20 kB request target': (p, r) => ({ bytes: request(`GET ${target(r)}&pad=${'p'.repeat(20_000)} HTTP/1.1`, good(p)), expect: 'refuse', mayReset: true }),
  '2100 headers before the secret': (p, r) => ({
    bytes: request(`GET ${target(r)} HTTP/1.1`, [`Host: 127.0.0.1:${p.port}`, 'mail: raw@uni.example', ...Array.from({ length: 2100 }, (_, i) => `h${i}: v`), `X-Saml2jwt-Proxy-Secret: ${p.secret}`, 'Connection: close']),
    expect: 'refuse',
    mayReset: true,
  }),
  'invalid method token': (p, r) => ({ bytes: request(`G@T ${target(r)} HTTP/1.1`, good(p)), expect: 'refuse' }),
  'method other than GET': (p, r) => ({ bytes: request(`PROPFIND ${target(r)} HTTP/1.1`, good(p)), expect: 'refuse' }),
  'POST with a body': (p, r) => ({ bytes: request(`POST ${target(r)} HTTP/1.1`, good(p, ['Content-Length: 3']), CRLF, 'a=b'), expect: 'refuse' }),
  'HTTP/1.0 without Host': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.0`, good(p).filter((l) => !l.startsWith('Host'))), expect: 'either' }),
  'HTTP/1.1 without Host': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p).filter((l) => !l.startsWith('Host'))), expect: 'either' }),
  'HTTP/0.9 request line': (_p, r) => ({ bytes: Buffer.from(`GET ${target(r)}${CRLF}${CRLF}`), expect: 'refuse' }),
  'unknown HTTP version': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/3.7`, good(p)), expect: 'refuse' }),
  'Transfer-Encoding and Content-Length (smuggling)': (p, r) => ({
    bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, ['Content-Length: 4', 'Transfer-Encoding: chunked']), CRLF, `0${CRLF}${CRLF}`),
    expect: 'refuse',
  }),
  'absolute-form target on another host': (p, r) => ({ bytes: request(`GET http://evil.example${target(r)} HTTP/1.1`, good(p)), expect: 'either' }),
  'Host header of another site': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, [`Host: evil.example`, ...good(p).slice(1)]), expect: 'either' }),
  'X-Forwarded-Host of another site': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, ['X-Forwarded-Host: evil.example', 'X-Forwarded-Proto: http'])), expect: 'either' }),
  'control character in the target': (p, r) => ({ bytes: request(`GET ${target(r)}\u0001 HTTP/1.1`, good(p)), expect: 'refuse' }),
  'raw UTF-8 bytes in the target': (p, r) => ({ bytes: Buffer.concat([Buffer.from(`GET ${target(r)}`), Buffer.from('%20r\u00e4um', 'utf8'), request(' HTTP/1.1', good(p))]), expect: 'either' }),
  'the secret header twice': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, [`X-Saml2jwt-Proxy-Secret: ${p.secret}`])), expect: 'refuse' }),
  'the mail header twice': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, ['mail: other@uni.example'])), expect: 'either' }),
  'underscore look-alike of the secret header': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, [], `X_Saml2jwt_Proxy_Secret: ${p.secret}`)), expect: 'refuse' }),
  'secret only in a chunked trailer': (p, r) => ({
    bytes: request(`GET ${target(r)} HTTP/1.1`, [...good(p).filter((l) => !l.startsWith('X-Saml')), 'Transfer-Encoding: chunked', 'Trailer: X-Saml2jwt-Proxy-Secret'], CRLF, `0${CRLF}X-Saml2jwt-Proxy-Secret: ${p.secret}${CRLF}${CRLF}`),
    expect: 'refuse',
  }),
  'secret as a cookie': (p, r) => ({ bytes: request(`GET ${target(r)} HTTP/1.1`, good(p, [], `Cookie: x-saml2jwt-proxy-secret=${p.secret}`)), expect: 'refuse' }),
  'pipelined: trusted then untrusted': (p, r) => ({
    bytes: Buffer.concat([
      request(`GET ${target(r)} HTTP/1.1`, good(p).filter((l) => !l.startsWith('Connection'))),
      request(`GET ${target(r)} HTTP/1.1`, [`Host: 127.0.0.1:${p.port}`, 'mail: raw@uni.example', 'Connection: close']),
    ]),
    expect: 'one-of-two',
  }),
};

export const rawCase = (p: RawParams): fc.Arbitrary<RawCase> =>
  fc
    .tuple(fc.constantFrom(...Object.keys(RAW_KINDS)), fc.stringMatching(/^[a-z0-9-]{1,16}$/))
    .map(([kind, room]) => ({ kind, room, ...(RAW_KINDS[kind] as Build)(p, room) }));
