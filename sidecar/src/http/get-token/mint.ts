// Mint and sign the token the backend caller asked for.
import { mintToken } from '../../token/mint';
import type { HttpDeps } from '../deps';
import type { Step } from '../token-flow';

export function mint({ cfg, sign }: HttpDeps): Step {
  return (ctx) => {
    const request = ctx.state.tokenRequest;
    if (!request) throw new Error('mint runs after readTokenRequest');
    ctx.state.minted = mintToken(request, cfg, sign);
  };
}
