// The front listener: what the SP proxies to us (browsers, via Apache + mod_shib).
import type Koa from 'koa';
import type { HttpDeps } from './deps';
import { escapePage } from './escape-page';
import { healthz, readyz } from './health';
import { loggedOutPage } from './logged-out-page';
import { createHttpApp, createRouter } from './http-app';
import { redirectWithToken } from './redirect-with-token';

/** The SP proxies everything under /saml2jwt/ to us unchanged. */
export const FRONT_PREFIX = '/saml2jwt';

/** Each path as itself and under FRONT_PREFIX. */
const served = (...paths: string[]): string[] => paths.flatMap((path) => [path, FRONT_PREFIX + path]);

export function createFrontApp(deps: HttpDeps): Koa {
  const router = createRouter();
  router.register(served('/redirectWithToken', '/generateToken'), ['GET'], redirectWithToken(deps), { name: 'redirectWithToken' });
  router.register(served('/redirectWithTokenEscape'), ['GET'], escapePage, { name: 'redirectWithTokenEscape' });
  router.register(served('/loggedOut'), ['GET'], loggedOutPage(deps.cfg.publicUrl.origin), { name: 'loggedOut' });
  router.register(served('/healthz'), ['GET'], healthz, { name: 'healthz' });
  router.register(served('/readyz'), ['GET'], readyz(deps.readiness), { name: 'readyz' });
  return createHttpApp(router, deps, 'html');
}
