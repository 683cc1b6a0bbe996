// What the steps of a token endpoint hand each other through ctx.state.
import type Koa from 'koa';
import type { Identity } from '../../identity/identity';
import type { MeetingRequest } from '../../meeting/meeting-request';
import type { PolicyDecision } from '../../policy/policy';
import type { MintedToken, TokenRequest } from '../../token/claims';

export interface TokenState {
  identity?: Identity;
  meeting?: MeetingRequest;
  decision?: PolicyDecision;
  tokenRequest?: TokenRequest;
  minted?: MintedToken;
  /** A refused browser may be sent to AUTH_ERROR_PAGE (see respond-error). */
  authErrorPage?: boolean;
  /** The request came from Jitsi's inline login popup (a well-formed nonce): refusals post oauth-error. */
  popupOpener?: boolean;
}

export type TokenContext = Koa.ParameterizedContext<TokenState>;
/** One step of a token endpoint: it says no by throwing a Refusal. */
export type TokenStep = Koa.Middleware<TokenState>;
