// The backend listener: health and metrics always; the RS256 key server in RS256 mode (Prosody
// fetches from it over meet.jitsi); the mint API only when enabled (ENABLE_BACKEND_JWT_REQUEST),
// behind an API key and a rate limit. Never published by default.
import type Koa from 'koa';
import { createBackendGuard } from './backend-guard';
import type { HttpDeps } from './deps';
import { getToken } from './get-token';
import { healthzWithVersion, readyz } from './health';
import { createHttpApp, createRouter } from './http-app';
import { asapPublicKey, jwksDocument } from './key-server';
import { metricsPage } from './metrics-page';
import { validateToken } from './validate-token';

export function createBackendApp(deps: HttpDeps): Koa {
  const router = createRouter();
  router.get('healthz', '/healthz', healthzWithVersion);
  router.get('readyz', '/readyz', readyz(deps.readiness));
  router.get('metrics', '/metrics', metricsPage(deps.metrics));
  if (deps.keys) {
    router.get('asapPublicKey', '/asap/:file', asapPublicKey(deps.keys));
    router.get('jwks', '/.well-known/jwks.json', jwksDocument(deps.keys));
  }
  if (deps.cfg.backend.mintApiEnabled) {
    const guard = createBackendGuard(deps); // one budget shared by both API routes
    router.register(['/getToken'], ['GET', 'POST'], getToken(deps, guard), { name: 'getToken' });
    router.register(['/validateToken', '/isValidToken'], ['GET', 'POST'], validateToken(deps, guard), { name: 'validateToken' });
  }
  return createHttpApp(router, deps, 'json');
}
