// Step: may this identity have a token in this tenant, and with which role and features?
// Roles come from the operator's policy only, never from the query string.
import { Refusal } from '../../refusal';
import type { HttpDeps } from '../deps';
import type { TokenStep } from '../token-endpoint/state';

export function applyPolicy({ policy }: HttpDeps): TokenStep {
  return (ctx, next) => {
    const { identity, meeting } = ctx.state;
    if (!identity || !meeting) throw new Error('applyPolicy runs after requireSpIdentity and parseMeeting');
    const decision = policy.decide(identity, meeting.tenant);
    if (!decision.allowed) {
      throw new Refusal('forbidden', 'policy_denied', decision.reason ?? 'Your account may not join meetings here.');
    }
    ctx.state.decision = decision;
    return next();
  };
}
