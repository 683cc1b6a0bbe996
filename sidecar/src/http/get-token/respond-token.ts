// The bare token as text/plain (what the reference returned), or {token, exp} for JSON callers.
import type { HttpDeps } from '../deps';
import { sendDirect } from '../send-direct';
import type { Step } from '../token-flow';

export function respondToken(_deps: HttpDeps): Step {
  return (ctx) => {
    const minted = ctx.state.minted;
    if (!minted) throw new Error('respondToken runs after mint');
    const accept = ctx.headers.accept;
    if (accept !== undefined && accept.includes('application/json')) {
      const body = JSON.stringify({ token: minted.token, exp: minted.claims.exp ?? null });
      sendDirect(ctx, 200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }, body);
    } else {
      sendDirect(ctx, 200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' }, minted.token);
    }
  };
}
