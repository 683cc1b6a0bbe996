// GET /redirectWithToken (alias /generateToken): the browser's way to a token, behind the SP.
// Read the list to read the endpoint: each step is a middleware in its own file.
import compose from 'koa-compose';
import type { HttpDeps } from '../deps';
import { auditToken } from '../token-endpoint/audit-token';
import { issueToken } from '../token-endpoint/issue-token';
import type { TokenStep } from '../token-endpoint/state';
import { applyPolicy } from './apply-policy';
import { buildTokenRequest } from './build-token-request';
import { deliverToken } from './deliver-token';
import { enforcePrivateRoom } from './enforce-private-room';
import { limitUserRate } from './limit-user-rate';
import { notePopupOpener } from './note-popup-opener';
import { offerAuthErrorPage } from './offer-auth-error-page';
import { parseMeeting } from './parse-meeting';
import { requireSpIdentity } from './require-sp-identity';

export function redirectWithToken(deps: HttpDeps): TokenStep {
  return compose([
    auditToken('redirectWithToken', deps),
    offerAuthErrorPage,
    notePopupOpener,
    requireSpIdentity(deps),
    limitUserRate(deps),
    parseMeeting,
    applyPolicy(deps),
    enforcePrivateRoom(deps),
    buildTokenRequest,
    issueToken(deps),
    deliverToken(deps),
  ]);
}
