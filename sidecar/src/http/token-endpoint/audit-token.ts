// The outer middleware of every token endpoint: one count per request, and one audit line (never
// the token) per issued token. A refusal is handed to the refusal audit (one line each, summarised
// per user or address during a flood: refusal-audit.ts) and passed on to respond-error, which answers it.
import type { HttpDeps } from '../deps';
import { classifyError } from '../respond-error';
import type { TokenStep } from './state';

export function auditToken(endpoint: string, { log, metrics, refusals }: HttpDeps): TokenStep {
  // The fixed fields are bound once, in a child logger; pino writes bindings first, so the line
  // reads exactly as if they were passed on every call.
  const issuedLog = log.child({ event: 'token_issued', endpoint });
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const { status, reason } = classifyError(err);
      const s = ctx.state;
      // The peer: for /redirectWithToken that is our SP, for the backend API the caller.
      const clientAddress = ctx.req.socket.remoteAddress ?? 'unknown';
      refusals.record(
        {
          endpoint,
          clientAddress,
          userId: s.tokenRequest?.user.id ?? s.identity?.userId,
          room: (s.tokenRequest?.room ?? s.meeting?.room)?.backendSafe,
          tenant: s.tokenRequest?.tenant ?? s.meeting?.tenant,
          reason,
          status,
        },
        // Counted per user when our SP vouched for one (the front endpoint, once the identity
        // step ran): the SP is every user's peer. The backend's user is the caller's word, so
        // there the caller's address counts.
        s.identity ? { userId: s.identity.userId } : { clientAddress },
      );
      metrics.tokenRefused(endpoint, reason);
      throw err;
    }
    const claims = ctx.state.minted?.claims;
    if (!claims) throw new Error(`${endpoint}: the steps ended without a token`);
    issuedLog.info(
      { userId: claims.context.user.id, room: claims.room, tenant: claims.context.tenant, exp: claims.exp, jti: claims.jti, status: ctx.status },
      'token issued',
    );
    metrics.tokenIssued(endpoint);
  };
}
