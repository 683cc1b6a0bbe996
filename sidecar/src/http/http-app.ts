// A Koa app around one @koa/router. The router answers 404, 405 with Allow, OPTIONS and HEAD;
// around it sit the request latency per named route and the one error → response mapping.
import { METHODS } from 'node:http';
import { performance } from 'node:perf_hooks';
import Router, { type RouterContext } from '@koa/router';
import Koa from 'koa';
import type { HttpDeps } from './deps';
import { pageLookOf } from './page-look';
import { mapErrors, type ErrorStyle } from './respond-error';

/**
 * A router that counts every method Node parses as implemented, so an unknown method on a known
 * path gets 405 with Allow (a client's mistake), not 501.
 */
export function createRouter(): Router {
  return new Router({ methods: [...METHODS] });
}

export function createHttpApp(router: Router, deps: HttpDeps, errors: ErrorStyle): Koa {
  const app = new Koa();
  app.silent = true; // every error is mapped (and logged when it is ours) by mapErrors
  // Koa's documented place for what every ctx shares: the pages' look (html-page.ts sendPage).
  app.context.pageLook = pageLookOf(deps.cfg);
  app.use(observeRequest(deps));
  app.use(mapErrors(errors, deps));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}

function observeRequest({ metrics, readiness }: HttpDeps): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    // While draining, tell keep-alive clients to go, so their sockets free up for shutdown.
    if (readiness.draining) ctx.set('Connection', 'close');
    try {
      await next();
    } finally {
      // The matched route's declared name, never the raw path (that is the client's to choose).
      const route = (ctx as RouterContext).routerName ?? 'unknown';
      metrics.observeRequest(route, (performance.now() - started) / 1000);
    }
  };
}
