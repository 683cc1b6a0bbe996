// A Koa app over a fixed table of exact paths. We have a handful of static routes, so a Map
// lookup replaces a router (and its per-request regex matching). This is also the single
// place where errors are caught and mapped, and where request latency is measured.
import { performance } from 'node:perf_hooks';
import Koa from 'koa';
import type { HttpDeps } from './deps';
import { respondError, type AuthErrorContext, type ErrorStyle } from './respond-error';

export interface Route {
  /** Metric label: a fixed name, never the raw path. */
  name: string;
  methods: readonly string[];
  errors: ErrorStyle;
  /** Token routes for browsers: refusals may go to AUTH_ERROR_PAGE. */
  authErrorPage?: boolean;
  handle(ctx: Koa.Context): void | Promise<void>;
}

export interface AppOptions {
  /** Path prefix under which the routes are also served (the SP proxies /saml2jwt/ to us). */
  prefix?: string;
}

export const GET = ['GET', 'HEAD'] as const;
export const GET_POST = ['GET', 'HEAD', 'POST'] as const;

export function createHttpApp(routes: Record<string, Route>, deps: HttpDeps, options: AppOptions = {}): Koa {
  const table = new Map(Object.entries(routes));
  const prefix = options.prefix;
  const app = new Koa();
  app.silent = true; // every error is handled (and logged when it is ours) below

  app.use(async (ctx) => {
    const started = performance.now();
    let path = ctx.path;
    if (prefix !== undefined && path.startsWith(prefix + '/')) path = path.slice(prefix.length);
    const route = table.get(path);
    // While draining, tell keep-alive clients to go, so their sockets free up for shutdown.
    if (deps.readiness.draining) ctx.set('Connection', 'close');
    try {
      if (!route) {
        ctx.status = 404;
        ctx.body = 'not found\n';
      } else if (!route.methods.includes(ctx.method)) {
        ctx.status = 405;
        ctx.set('Allow', route.methods.join(', '));
        ctx.body = 'method not allowed\n';
      } else {
        const pending = route.handle(ctx);
        if (pending) await pending;
      }
    } catch (err) {
      const style = route?.errors ?? 'html';
      respondError(ctx, err, style, deps, route?.authErrorPage ? authErrorContext(ctx) : undefined);
    }
    deps.metrics.observeRequest(route?.name ?? 'unknown', (performance.now() - started) / 1000);
  });
  return app;
}

function authErrorContext(ctx: Koa.Context): AuthErrorContext {
  // Only values that passed validation go back out.
  const meeting = (ctx.state as { meeting?: { room: string; tenant?: string } }).meeting;
  const context: AuthErrorContext = {};
  if (meeting) {
    context.room = meeting.room;
    if (meeting.tenant !== undefined) context.tenant = meeting.tenant;
  }
  return context;
}
