// A browser refused a token may be sent to the operator's AUTH_ERROR_PAGE instead of our error
// page; respond-error decides, with the room and tenant that passed validation.
import type { TokenStep } from '../token-endpoint/state';

export const offerAuthErrorPage: TokenStep = (ctx, next) => {
  ctx.state.authErrorPage = true;
  return next();
};
