// GET /redirectWithToken (alias /generateToken): the browser's way to a token, behind the SP.
import type { HttpDeps } from '../deps';
import { auditedTokenFlow, inOrder } from '../token-flow';
import { applyPolicy } from './apply-policy';
import { assignClaims } from './assign-claims';
import { checkPrivateRoom } from './check-private-room';
import { parseMeeting } from './parse-meeting';
import { readIdentity } from './read-identity';
import { respondRedirect } from './respond-redirect';

export function redirectWithToken(deps: HttpDeps) {
  return auditedTokenFlow(
    'redirectWithToken',
    deps,
    inOrder([
      readIdentity(deps),
      parseMeeting(deps),
      applyPolicy(deps),
      checkPrivateRoom(deps),
      assignClaims(deps),
      respondRedirect(deps),
    ]),
  );
}
