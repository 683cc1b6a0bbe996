// The two hot responses (302 with the token, the bare token) go straight to Node's response.
// Koa's ctx.set / ctx.body validate each header and guess a type per call; measured under
// load that was ~10-15 µs of a ~150 µs request. Errors and every other route still use Koa.
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type Koa from 'koa';

interface Leaving {
  res: ServerResponse;
  body: string;
}

// Responses finished during one event-loop turn leave together at its end (setImmediate runs
// after all of the turn's I/O callbacks). Each write to a client that waits in epoll costs the
// kernel a wakeup, in a VM an inter-processor interrupt; writes back to back share it. Under
// load this halved the kernel time per token; an idle server just answers one turn later.
let leaving: Leaving[] = [];

function sendLeaving(): void {
  const batch = leaving;
  leaving = [];
  for (const { res, body } of batch) {
    try {
      res.end(body);
    } catch {
      res.destroy(); // one broken response must not hold back (or crash) the others
    }
  }
}

export function sendDirect(ctx: Koa.Context, status: number, headers: OutgoingHttpHeaders, body = ''): void {
  ctx.respond = false; // Koa must not write again; ctx.status still reads res.statusCode
  headers['Content-Length'] = Buffer.byteLength(body);
  // writeHead now (it only stores the header block), so a bad header still throws into the
  // error mapping, and the status is set for the audit line. Merges headers set earlier
  // (e.g. Connection: close while draining).
  ctx.res.writeHead(status, headers);
  if (leaving.length === 0) setImmediate(sendLeaving);
  leaving.push({ res: ctx.res, body });
}
