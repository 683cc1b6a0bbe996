// Step: the bare token as text/plain (what the reference returned), or {token, exp} for JSON callers.
import type { TokenStep } from '../token-endpoint/state';

export const respondToken: TokenStep = (ctx) => {
  const minted = ctx.state.minted;
  if (!minted) throw new Error('respondToken runs after issueToken');
  ctx.set('Cache-Control', 'no-store');
  if (ctx.get('Accept').includes('application/json')) {
    ctx.body = { token: minted.token, exp: minted.claims.exp ?? null };
  } else {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = minted.token;
  }
};
