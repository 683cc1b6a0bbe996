// Step 1: who is this? Only our SP may say (proxy secret), and it says it in headers.
import { readIdentity as identityFromHeaders } from '../../identity/read-identity';
import type { HttpDeps } from '../deps';
import type { Step } from '../token-flow';

export function readIdentity({ cfg }: HttpDeps): Step {
  return (ctx) => {
    ctx.state.identity = identityFromHeaders(ctx.headers, cfg.identity);
  };
}
