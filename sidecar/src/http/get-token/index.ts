// GET|POST /getToken on the backend listener: a token for a user the caller vouches for.
import type { HttpDeps } from '../deps';
import { createBackendGuard } from '../backend-guard';
import { auditedTokenFlow, inOrder } from '../token-flow';
import { mint } from './mint';
import { readTokenRequest } from './read-token-request';
import { respondToken } from './respond-token';

export function getToken(deps: HttpDeps, guard = createBackendGuard(deps)) {
  return auditedTokenFlow('getToken', deps, inOrder([guard, readTokenRequest(deps), mint(deps), respondToken(deps)]));
}
