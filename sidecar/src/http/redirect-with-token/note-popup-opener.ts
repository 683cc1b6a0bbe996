// Step: is this Jitsi's inline login popup (a well-formed `nonce`)? Noted before anything can be
// refused, so that every refusal, identity ones included, also reaches the waiting Jitsi page
// as oauth-error (respond-error). Which client gets the token is decided in parseMeeting.
import { isNonce } from '../../meeting/login-client';
import type { TokenStep } from '../token-endpoint/state';

export const notePopupOpener: TokenStep = (ctx, next) => {
  const nonces = new URLSearchParams(ctx.querystring).getAll('nonce');
  ctx.state.popupOpener = nonces.length === 1 && isNonce(nonces[0]);
  return next();
};
