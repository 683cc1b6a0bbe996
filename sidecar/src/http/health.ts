// Liveness and readiness, on both listeners.
import type Koa from 'koa';
import type { Readiness } from './readiness';

export function healthz(ctx: Koa.Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = 'ok\n';
}

export function readyz(readiness: Readiness): (ctx: Koa.Context) => void {
  return (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.status = readiness.ready ? 200 : 503;
    ctx.body = readiness.ready ? 'ready\n' : readiness.draining ? 'draining\n' : 'starting\n';
  };
}
