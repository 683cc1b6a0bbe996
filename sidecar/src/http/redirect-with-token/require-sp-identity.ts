// Step: who is this? Only our SP may say (proxy secret), and it says it in headers.
import { readIdentity } from '../../identity/read-identity';
import type { HttpDeps } from '../deps';
import type { TokenStep } from '../token-endpoint/state';

export function requireSpIdentity({ cfg }: HttpDeps): TokenStep {
  return (ctx, next) => {
    ctx.state.identity = readIdentity(ctx.headers, cfg.identity);
    return next();
  };
}
