// Liveness and readiness, on both listeners.
import type Koa from 'koa';
import { VERSION } from '../version';
import type { Readiness } from './readiness';

export function healthz(ctx: Koa.Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.body = 'ok\n';
}

/** The backend's /healthz also names the version, for doctor and monitoring (the front's does not tell strangers). */
export function healthzWithVersion(ctx: Koa.Context): void {
  healthz(ctx);
  ctx.set('X-Saml2jwt-Version', VERSION);
}

export function readyz(readiness: Readiness): (ctx: Koa.Context) => void {
  return (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.status = readiness.ready ? 200 : 503;
    ctx.body = readiness.ready ? 'ready\n' : readiness.draining ? 'draining\n' : 'starting\n';
  };
}
