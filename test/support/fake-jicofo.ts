// A stand-in for Jicofo's REST /debug on 127.0.0.1 that misbehaves on demand: it lists rooms,
// or hangs, answers late, drips, sends invalid JSON, 50 MB, deep nesting, a 500, a redirect or a reset.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type JicofoMode = 'listing' | 'hang' | 'slow' | 'drip' | 'invalid-json' | 'huge' | 'nested' | 'status-500' | 'redirect' | 'reset';

export class FakeJicofo {
  mode: JicofoMode = 'listing';
  /** Conference local parts (`room` or `[tenant]room`) that `listing` and `slow` report. */
  rooms: string[] = [];
  delayMs = 1500;
  hugeBytes = 50 * 1024 * 1024;
  requests = 0;
  /** Bytes `huge` managed to write before the client gave up. */
  hugeBytesWritten = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}/debug`;
  }

  private listing(): string {
    const conferences: Record<string, unknown> = {};
    for (const r of this.rooms) conferences[`${r}@conference.meet.jitsi`] = { participants: { [`${r}@conference.meet.jitsi/focus`]: {} } };
    return JSON.stringify({ focus: 'focus@auth.meet.jitsi', conferences });
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.requests++;
      req.resume();
      switch (this.mode) {
        case 'listing':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(this.listing());
        case 'hang':
          return; // never answers; the socket stays open until stop()
        case 'slow':
          return this.later(this.delayMs, () => res.writeHead(200, { 'content-type': 'application/json' }).end(this.listing()));
        case 'drip': {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"conferences":{');
          const drip = (): void => {
            if (res.destroyed) return;
            res.write(' ');
            this.later(100, drip);
          };
          return drip();
        }
        case 'invalid-json':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(`{"conferences": {"${this.rooms[0] ?? 'x'}@conference.meet.jitsi": `);
        case 'nested':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(`${'['.repeat(500_000)}${']'.repeat(500_000)}`);
        case 'status-500':
          return void res.writeHead(500).end(this.listing());
        case 'redirect':
          return void res.writeHead(302, { location: 'http://127.0.0.1:9/debug' }).end();
        case 'reset':
          return void req.socket.destroy();
        case 'huge': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(64 * 1024, 0x61);
          let written = 0;
          res.write(`{"conferences":{"${this.rooms[0] ?? 'x'}@conference.meet.jitsi":{}},"pad":"`);
          const pump = (): void => {
            while (written < this.hugeBytes && !res.destroyed) {
              written += chunk.length;
              this.hugeBytesWritten += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
            if (!res.destroyed) res.end('"}');
          };
          res.on('error', () => undefined);
          return pump();
        }
      }
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A 127.0.0.1 port with nothing listening: connections to it are refused. */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
