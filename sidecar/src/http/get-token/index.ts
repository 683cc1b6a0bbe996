// GET|POST /getToken on the backend listener: a token for a user the caller vouches for.
import compose from 'koa-compose';
import type Koa from 'koa';
import { createBackendGuard } from '../backend-guard';
import type { HttpDeps } from '../deps';
import { auditToken } from '../token-endpoint/audit-token';
import { issueToken } from '../token-endpoint/issue-token';
import type { TokenStep } from '../token-endpoint/state';
import { readTokenRequest } from './read-token-request';
import { respondToken } from './respond-token';

export function getToken(deps: HttpDeps, guard: Koa.Middleware = createBackendGuard(deps)): TokenStep {
  return compose([auditToken('getToken', deps), guard, readTokenRequest(deps), issueToken(deps), respondToken]);
}
