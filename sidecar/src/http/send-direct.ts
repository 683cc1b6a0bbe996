// The two hot responses (302 with the token, the bare token) go straight to Node's response.
// Koa's ctx.set / ctx.body validate each header and guess a type per call; measured under
// load that was ~10-15 µs of a ~150 µs request. Errors and every other route still use Koa.
import type { OutgoingHttpHeaders } from 'node:http';
import type Koa from 'koa';

export function sendDirect(ctx: Koa.Context, status: number, headers: OutgoingHttpHeaders, body = ''): void {
  ctx.respond = false; // Koa must not write again; ctx.status still reads res.statusCode
  headers['Content-Length'] = Buffer.byteLength(body);
  ctx.res.writeHead(status, headers); // merges headers set earlier (e.g. Connection: close while draining)
  ctx.res.end(body);
}
