// A token endpoint is a list of small steps run in order over one shared state (the
// node-oidc-provider way: read the endpoint's index to read the endpoint). Whatever the outcome,
// the flow writes exactly one audit line and counts it once.
import type Koa from 'koa';
import type { Identity } from '../identity/identity';
import type { PolicyDecision } from '../policy/policy';
import type { MintedToken, TokenRequest } from '../token/claims';
import type { HttpDeps } from './deps';
import type { MeetingRequest } from '../meeting/meeting-request';
import { classifyError } from './respond-error';

export interface TokenFlowState {
  identity?: Identity;
  meeting?: MeetingRequest;
  decision?: PolicyDecision;
  tokenRequest?: TokenRequest;
  minted?: MintedToken;
}

export type FlowContext = Koa.ParameterizedContext<TokenFlowState>;
export type Step = (ctx: FlowContext) => void | Promise<void>;

/**
 * Runs the steps in order; a step says no by throwing a Refusal. Stays synchronous until a step
 * returns a promise (only the Jicofo probe does), so the usual request makes no microtask hops.
 */
export function inOrder(steps: readonly Step[]): (ctx: FlowContext) => void | Promise<void> {
  const runFrom = (ctx: FlowContext, first: number): void | Promise<void> => {
    for (let i = first; i < steps.length; i++) {
      const pending = (steps[i] as Step)(ctx);
      if (pending) return pending.then(() => runFrom(ctx, i + 1));
    }
  };
  return (ctx) => runFrom(ctx, 0);
}

/** Wraps a token flow: one audit line (never the token) and one metric per request. */
export function auditedTokenFlow(
  endpoint: string,
  deps: HttpDeps,
  flow: (ctx: FlowContext) => void | Promise<void>,
): (ctx: FlowContext) => void | Promise<void> {
  const { metrics } = deps;
  // The fixed fields are serialised once, in child loggers; the line reads exactly as if they
  // were passed on every call (pino writes bindings first), at a fraction of the cost per token.
  const refusedLog = deps.log.child({ event: 'token_refused', endpoint });
  const issuedLog = deps.log.child({ event: 'token_issued', endpoint });

  const refused = (ctx: FlowContext, err: unknown): never => {
    const { status, reason } = classifyError(err);
    const s = ctx.state;
    refusedLog.info(
      {
        userId: s.tokenRequest?.user.id ?? s.identity?.userId,
        room: s.tokenRequest?.room ?? s.meeting?.room,
        tenant: s.tokenRequest?.tenant ?? s.meeting?.tenant,
        reason,
        status,
      },
      'token refused',
    );
    metrics.tokenRefused(endpoint, reason);
    throw err;
  };

  const issued = (ctx: FlowContext): void => {
    const claims = ctx.state.minted?.claims;
    if (!claims) return;
    issuedLog.info(
      {
        userId: claims.context.user.id,
        room: claims.room,
        tenant: claims.context.tenant,
        exp: claims.exp,
        jti: claims.jti,
        status: ctx.status,
      },
      'token issued',
    );
    metrics.tokenIssued(endpoint);
  };

  return (ctx) => {
    let pending: void | Promise<void>;
    try {
      pending = flow(ctx);
    } catch (err) {
      return refused(ctx, err);
    }
    if (!pending) return issued(ctx);
    return pending.then(
      () => issued(ctx),
      (err: unknown) => refused(ctx, err),
    );
  };
}
