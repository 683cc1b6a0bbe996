// Step 3: may this identity have a token in this tenant, and with which role and features?
// Roles come from the operator's policy only, never from the query string.
import { Refusal } from '../../refusal';
import type { HttpDeps } from '../deps';
import type { Step } from '../token-flow';

export function applyPolicy({ policy }: HttpDeps): Step {
  return (ctx) => {
    const { identity, meeting } = ctx.state;
    if (!identity || !meeting) throw new Error('applyPolicy runs after readIdentity and parseMeeting');
    const decision = policy.decide(identity, meeting.tenant);
    if (!decision.allowed) {
      throw new Refusal('forbidden', 'policy_denied', decision.reason ?? 'Your account may not join meetings here.');
    }
    ctx.state.decision = decision;
  };
}
