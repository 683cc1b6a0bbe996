// In front of every backend API call: rate limit by client address (this also counts failed
// key guesses), then the API key, then the rate limit of that key.
import type Koa from 'koa';
import { createApiKeyCheck } from './api-key';
import type { HttpDeps } from './deps';
import { RateLimiter } from './rate-limit';

export function createBackendGuard({ cfg }: HttpDeps): Koa.Middleware {
  const limiter = new RateLimiter(cfg.backend.rateLimitPerMinute);
  const checkKey = createApiKeyCheck(cfg.backend.apiKey);
  return (ctx, next) => {
    limiter.take(`addr:${ctx.req.socket.remoteAddress ?? 'unknown'}`);
    checkKey(ctx.headers);
    // There is one valid key (BACKEND_API_KEY), so its budget is one counter, named not by the key.
    limiter.take('key:backend');
    return next();
  };
}
