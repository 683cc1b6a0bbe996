// The token request becomes claims and a signature (token/mint); both token endpoints end so.
import { mintToken } from '../../token/mint';
import type { HttpDeps } from '../deps';
import type { TokenStep } from './state';

export function issueToken({ cfg, sign }: HttpDeps): TokenStep {
  return (ctx, next) => {
    const request = ctx.state.tokenRequest;
    if (!request) throw new Error('issueToken runs after the token request is built');
    ctx.state.minted = mintToken(request, cfg, sign);
    return next();
  };
}
