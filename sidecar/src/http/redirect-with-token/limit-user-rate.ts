// Step: no one user may take the sidecar for themself. Counted per user id, the one the identity
// step parsed (every user's address is the SP's), and before the meeting is parsed, Jicofo asked
// or a token signed: RS256 costs about 2 ms of the one event loop a token. FRONT_RATE_LIMIT a
// minute (0: off); past it a 429 with Retry-After, as a page or the popup's oauth-error (respond-error).
import type { HttpDeps } from '../deps';
import { RateLimiter } from '../rate-limit';
import type { TokenStep } from '../token-endpoint/state';

export function limitUserRate({ cfg }: HttpDeps): TokenStep {
  const limiter = new RateLimiter(cfg.front.rateLimitPerMinute);
  return (ctx, next) => {
    const { identity } = ctx.state;
    if (!identity) throw new Error('limitUserRate runs after requireSpIdentity');
    limiter.take(identity.userId);
    return next();
  };
}
