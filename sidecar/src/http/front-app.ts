// The front listener: what the SP proxies to us (browsers, via Apache + mod_shib).
import type Koa from 'koa';
import type { HttpDeps } from './deps';
import { escapePage } from './escape-page';
import { healthz, readyz } from './health';
import { createHttpApp, GET, type Route } from './http-app';
import { redirectWithToken } from './redirect-with-token';

/** The SP proxies everything under /saml2jwt/ to us unchanged. */
export const FRONT_PREFIX = '/saml2jwt';

export function createFrontApp(deps: HttpDeps): Koa {
  const token: Route = { name: 'redirectWithToken', methods: GET, errors: 'html', authErrorPage: true, handle: redirectWithToken(deps) };
  const routes: Record<string, Route> = {
    '/redirectWithToken': token,
    '/generateToken': token,
    '/redirectWithTokenEscape': { name: 'redirectWithTokenEscape', methods: GET, errors: 'html', handle: escapePage },
    '/healthz': { name: 'healthz', methods: GET, errors: 'html', handle: healthz },
    '/readyz': { name: 'readyz', methods: GET, errors: 'html', handle: readyz(deps.readiness) },
  };
  return createHttpApp(routes, deps, { prefix: FRONT_PREFIX });
}
