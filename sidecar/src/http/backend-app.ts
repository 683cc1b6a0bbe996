// The backend listener: health and metrics always; the mint API only when enabled
// (ENABLE_BACKEND_JWT_REQUEST), behind an API key and a rate limit. Never published by default.
import type Koa from 'koa';
import { createBackendGuard } from './backend-guard';
import type { HttpDeps } from './deps';
import { getToken } from './get-token';
import { healthz, readyz } from './health';
import { createHttpApp, GET, GET_POST, type Route } from './http-app';
import { validateToken } from './validate-token';

export function createBackendApp(deps: HttpDeps): Koa {
  const routes: Record<string, Route> = {
    '/healthz': { name: 'healthz', methods: GET, errors: 'json', handle: healthz },
    '/readyz': { name: 'readyz', methods: GET, errors: 'json', handle: readyz(deps.readiness) },
    '/metrics': {
      name: 'metrics',
      methods: GET,
      errors: 'json',
      async handle(ctx) {
        ctx.type = deps.metrics.registry.contentType;
        ctx.body = await deps.metrics.registry.metrics();
      },
    },
  };
  if (deps.cfg.backend.mintApiEnabled) {
    const guard = createBackendGuard(deps); // one budget shared by both API routes
    const validate: Route = { name: 'validateToken', methods: GET_POST, errors: 'json', handle: validateToken(deps, guard) };
    routes['/getToken'] = { name: 'getToken', methods: GET_POST, errors: 'json', handle: getToken(deps, guard) };
    routes['/validateToken'] = validate;
    routes['/isValidToken'] = validate;
  }
  return createHttpApp(routes, deps);
}
