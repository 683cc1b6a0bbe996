// Step 5: the token request from identity + policy decision + meeting, then mint and sign.
import type { TokenRequest } from '../../token/claims';
import { mintToken } from '../../token/mint';
import type { HttpDeps } from '../deps';
import type { Step } from '../token-flow';

export function assignClaims(deps: HttpDeps): Step {
  const { cfg, sign } = deps;
  return (ctx) => {
    const { identity, meeting, decision } = ctx.state;
    if (!identity || !meeting || !decision) throw new Error('assignClaims runs after identity, meeting and policy');
    const request: TokenRequest = {
      user: { id: identity.userId, name: identity.name, email: identity.mail },
      room: meeting.room,
      features: decision.features,
    };
    if (decision.affiliation !== undefined) request.user.affiliation = decision.affiliation;
    if (decision.moderator !== undefined) request.user.moderator = decision.moderator;
    if (meeting.tenant !== undefined) request.tenant = meeting.tenant;
    if (meeting.requestedExp !== undefined) request.requestedExp = meeting.requestedExp;
    ctx.state.tokenRequest = request;
    ctx.state.minted = mintToken(request, cfg, sign);
  };
}
