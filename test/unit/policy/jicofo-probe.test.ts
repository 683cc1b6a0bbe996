import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JicofoConfig } from '../../../sidecar/src/config/config';
import { createLogger, silentLogger } from '../../../sidecar/src/log';
import { conferenceNames, MAX_DEBUG_BODY_BYTES, roomStarted } from '../../../sidecar/src/policy/jicofo-probe';
import { parseRoom } from '../../../sidecar/src/meeting/room';
import { Refusal } from '../../../sidecar/src/refusal';

// Shaped like Jicofo's REST /debug: conferences keyed by their room JID.
const debugJson = (...rooms: string[]): string =>
  JSON.stringify({
    focus_manager: {
      conferences: Object.fromEntries(rooms.map((r) => [`${r}@muc.meet.jitsi`, { name: `${r}@muc.meet.jitsi`, participants: {} }])),
      focus_jid: 'focus@auth.meet.jitsi/focus',
    },
    bridge_selector: { bridges: {} },
  });

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const servers: http.Server[] = [];

async function closeServers(): Promise<void> {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

async function serve(handler: Handler): Promise<URL> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/debug`);
}

const json = (body: string, delayMs = 0): Handler => (_req, res) => {
  setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  }, delayMs);
};

async function closedPort(): Promise<URL> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return new URL(`http://127.0.0.1:${port}/debug`);
}

const cfg = (...endpoints: URL[]): JicofoConfig => ({ endpoints, callTimeoutMs: 1000, totalTimeoutMs: 2000, answerTtlMs: 3000, maxQuestions: 16 });

async function timed<T>(work: Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const start = performance.now();
  try {
    const value = await work;
    return { value, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

function expectUnreachable(result: { error?: unknown; ms: number }): void {
  expect(result.error, 'fails closed').to.be.instanceOf(Refusal);
  expect((result.error as Refusal).kind).to.equal('unavailable');
  expect((result.error as Refusal).reason).to.equal('jicofo_unreachable');
  expect(result.ms).to.be.lessThan(2500);
}

describe('policy/jicofo-probe: roomStarted', () => {
  afterEach(closeServers);

  it('true when the room is listed', async () => {
    const url = await serve(json(debugJson('other', 'abc')));
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)).to.equal(true);
  });

  it('matches the room case-insensitively (Jitsi rooms are lower-case)', async () => {
    const url = await serve(json(debugJson('abc')));
    expect(await roomStarted(parseRoom('ABC'), undefined, cfg(url), silentLogger)).to.equal(true);
  });

  it('looks for the MUC room the client joined: the backend-safe name, not the name as typed', async () => {
    const url = await serve(json(debugJson('[private]r%c3%a9union%20%c3%a9quipe')));
    expect(await roomStarted(parseRoom('Réunion équipe'), 'private', cfg(url), silentLogger)).to.equal(true);
    const typed = await serve(json(debugJson('[private]réunion équipe')));
    expect(await roomStarted(parseRoom('Réunion équipe'), 'private', cfg(typed), silentLogger)).to.equal(false);
  });

  it('never by substring: abc is not abcd, xabc or abc-1', async () => {
    const url = await serve(json(debugJson('abcd', 'xabc', 'abc-1')));
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)).to.equal(false);
  });

  it('in a tenant, only [tenant]room counts', async () => {
    const url = await serve(json(debugJson('[acme]abc', 'zzz')));
    expect(await roomStarted(parseRoom('abc'), 'acme', cfg(url), silentLogger)).to.equal(true);
    expect(await roomStarted(parseRoom('abc'), 'ACME', cfg(url), silentLogger)).to.equal(true);
    expect(await roomStarted(parseRoom('abc'), 'other', cfg(url), silentLogger)).to.equal(false);
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)).to.equal(false);
  });

  it('a root room does not count for a tenant room of the same name', async () => {
    const url = await serve(json(debugJson('abc')));
    expect(await roomStarted(parseRoom('abc'), 'acme', cfg(url), silentLogger)).to.equal(false);
  });

  it('queries the configured path with GET', async () => {
    let seen = '';
    const base = await serve((req, res) => {
      seen = `${req.method} ${req.url}`;
      json(debugJson('abc'))(req, res);
    });
    const url = new URL('/debug?full=true', base);
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)).to.equal(true);
    expect(seen).to.equal('GET /debug?full=true');
  });

  it('true when any endpoint lists it, even if another fails', async () => {
    const down = await closedPort();
    const without = await serve(json(debugJson('zzz')));
    const withRoom = await serve(json(debugJson('abc')));
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(down, without, withRoom), silentLogger)).to.equal(true);
  });

  it('false when those that answered do not list it and the others failed', async () => {
    const down = await closedPort();
    const without = await serve(json(debugJson('zzz')));
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(down, without), silentLogger)).to.equal(false);
  });

  it('asks endpoints in parallel: a slow "yes" beside two hanging ones answers in about its own time', async () => {
    const hang1 = await serve(() => undefined);
    const hang2 = await serve(() => undefined);
    const slowYes = await serve(json(debugJson('abc'), 300));
    const result = await timed(roomStarted(parseRoom('abc'), undefined, cfg(hang1, hang2, slowYes), silentLogger));
    expect(result.value).to.equal(true);
    expect(result.ms).to.be.lessThan(900);
  });

  it('no endpoints configured: nobody lists the room', async () => {
    expect(await roomStarted(parseRoom('abc'), undefined, cfg(), silentLogger)).to.equal(false);
  });

  describe('fails closed, in bounded time', () => {
    it('connection refused', async () => {
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(await closedPort()), silentLogger)));
    });

    it('a server that never answers', async () => {
      const result = await timed(roomStarted(parseRoom('abc'), undefined, cfg(await serve(() => undefined)), silentLogger));
      expectUnreachable(result);
      expect(result.ms, 'the 1 s call timeout applies').to.be.greaterThan(900);
    });

    it('three servers that never answer take one timeout, not three', async () => {
      const urls = [await serve(() => undefined), await serve(() => undefined), await serve(() => undefined)];
      const result = await timed(roomStarted(parseRoom('abc'), undefined, cfg(...urls), silentLogger));
      expectUnreachable(result);
      expect(result.ms).to.be.lessThan(1600);
    });

    it('a body that trickles forever', async () => {
      const url = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"conferences": {');
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
      });
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)));
    });

    it('an answer slower than the call timeout', async () => {
      const url = await serve(json(debugJson('abc'), 1500));
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)));
    });

    it('invalid JSON', async () => {
      const url = await serve(json('<html>abc@muc.meet.jitsi</html>'));
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)));
    });

    it('an HTTP error status', async () => {
      const url = await serve((_req, res) => {
        res.writeHead(500);
        res.end(debugJson('abc'));
      });
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger)));
    });

    it('a redirect is not followed', async () => {
      const listing = await serve(json(debugJson('abc')));
      const redirecting = await serve((_req, res) => {
        res.writeHead(302, { location: listing.href });
        res.end();
      });
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(redirecting), silentLogger)));
    });

    it('a body larger than the cap, even one that lists the room', async () => {
      let written = 0;
      const url = await serve((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"conferences": {"abc@muc.meet.jitsi": {}}, "padding": "`);
        const chunk = 'x'.repeat(256 * 1024);
        const pump = (): void => {
          while (written <= MAX_DEBUG_BODY_BYTES * 2) {
            written += chunk.length;
            if (!res.write(chunk)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end('"}');
        };
        res.on('error', () => undefined);
        pump();
      });
      const result = await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), silentLogger));
      expectUnreachable(result);
      expect(written, 'stopped reading well before the end').to.be.lessThan(MAX_DEBUG_BODY_BYTES * 2);
    });

    it('logs why, without the body', async () => {
      const lines: string[] = [];
      const log = createLogger('debug', { write: (s: string) => void lines.push(s) });
      const url = await serve(json('not json at all'));
      expectUnreachable(await timed(roomStarted(parseRoom('abc'), undefined, cfg(url), log)));
      const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.level === 40);
      expect(warn?.msg).to.match(/fail closed/);
      expect(JSON.stringify(warn?.endpoints)).to.include('not JSON').and.include(url.host);
    });
  });
});

describe('policy/jicofo-probe: shared answers (issue 19)', () => {
  afterEach(closeServers);

  /** A /debug endpoint that lists `rooms` (changeable) after `delayMs`, counting what it is asked. */
  async function countingJicofo(delayMs: number): Promise<{ url: URL; rooms: string[]; asked: () => number }> {
    const state = { rooms: [] as string[], asked: 0 };
    const url = await serve((req, res) => {
      state.asked++;
      json(debugJson(...state.rooms), delayMs)(req, res);
    });
    return { url, rooms: state.rooms, asked: () => state.asked };
  }
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('concurrent questions about one room share one request; another room asks its own', async () => {
    const jicofo = await countingJicofo(100);
    jicofo.rooms.push('[private]abc');
    const c = cfg(jicofo.url);
    const answers = await Promise.all([
      ...Array.from({ length: 25 }, () => roomStarted(parseRoom('abc'), 'private', c, silentLogger)),
      // The same conference local part, however the room was typed.
      roomStarted(parseRoom('ABC'), 'PRIVATE', c, silentLogger),
      roomStarted(parseRoom('other'), 'private', c, silentLogger),
    ]);
    expect(answers).to.deep.equal([...Array<boolean>(26).fill(true), false]);
    expect(jicofo.asked()).to.equal(2);
  });

  it('reuses an answer for answerTtlMs, then asks again: a "not started" does not keep a started meeting closed', async () => {
    const jicofo = await countingJicofo(0);
    const c = { ...cfg(jicofo.url), answerTtlMs: 300 };
    expect(await roomStarted(parseRoom('abc'), 'private', c, silentLogger)).to.equal(false);
    jicofo.rooms.push('[private]abc'); // the owner starts the meeting
    expect(await roomStarted(parseRoom('abc'), 'private', c, silentLogger), 'within the TTL: the answer is reused').to.equal(false);
    expect(jicofo.asked()).to.equal(1);
    await sleep(350);
    expect(await roomStarted(parseRoom('abc'), 'private', c, silentLogger)).to.equal(true);
    expect(jicofo.asked()).to.equal(2);
  });

  it('answerTtlMs 0 remembers nothing', async () => {
    const jicofo = await countingJicofo(0);
    const c = { ...cfg(jicofo.url), answerTtlMs: 0 };
    for (let i = 0; i < 3; i++) await roomStarted(parseRoom('abc'), 'private', c, silentLogger);
    expect(jicofo.asked()).to.equal(3);
  });

  it('a failure is shared by the questions waiting for it, and not remembered', async () => {
    let asked = 0;
    const url = await serve((_req, res) => {
      asked++;
      res.writeHead(500);
      res.end();
    });
    const c = cfg(url);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => roomStarted(parseRoom('abc'), 'private', c, silentLogger)));
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Refusal).reason)).to.deep.equal(Array<string>(5).fill('jicofo_unreachable'));
    expect(asked).to.equal(1);
    await roomStarted(parseRoom('abc'), 'private', c, silentLogger).catch(() => undefined);
    expect(asked, 'the next question asks again').to.equal(2);
  });

  it('at most maxQuestions rooms are asked about at once: one more is refused at once as unavailable, not queued', async () => {
    const jicofo = await countingJicofo(300);
    const c = { ...cfg(jicofo.url), maxQuestions: 3 };
    const asking = ['a', 'b', 'c'].map((room) => roomStarted(parseRoom(room), 'private', c, silentLogger));
    const busy = await timed(roomStarted(parseRoom('d'), 'private', c, silentLogger));
    expect(busy.error).to.be.instanceOf(Refusal);
    expect((busy.error as Refusal).kind).to.equal('unavailable');
    expect((busy.error as Refusal).reason).to.equal('jicofo_busy');
    expect(busy.ms).to.be.lessThan(100);
    // A room already being asked about is not a new question: it waits for that answer.
    const joined = roomStarted(parseRoom('a'), 'private', c, silentLogger);
    expect(await Promise.all([...asking, joined])).to.deep.equal([false, false, false, false]);
    expect(jicofo.asked()).to.equal(3);
    // The places are free again.
    expect(await roomStarted(parseRoom('d'), 'private', c, silentLogger)).to.equal(false);
    expect(jicofo.asked()).to.equal(4);
  });

  it('each configuration has its own answers', async () => {
    const jicofo = await countingJicofo(0);
    await roomStarted(parseRoom('abc'), 'private', cfg(jicofo.url), silentLogger);
    await roomStarted(parseRoom('abc'), 'private', cfg(jicofo.url), silentLogger);
    expect(jicofo.asked()).to.equal(2);
  });
});

describe('policy/jicofo-probe: conferenceNames', () => {
  it('collects JID-like keys and strings anywhere, with or without a resource', () => {
    const names = conferenceNames({ a: ['x@muc.meet.jitsi/focus', { '[t]y@conference.example.org': 1 }], b: 'not a jid', c: 42 });
    expect([...names].sort()).to.deep.equal(['[t]y', 'x']);
  });

  it('ignores the auth and internal domains (the focus user is not a room)', () => {
    expect([...conferenceNames({ focus: 'focus@auth.meet.jitsi/focus', b: 'jvb@internal-muc.meet.jitsi' })]).to.deep.equal([]);
  });

  it('walks very deep answers without overflowing the stack', () => {
    let deep: unknown = 'deep@muc.meet.jitsi';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(conferenceNames(deep).has('deep')).to.equal(true);
  });
});
