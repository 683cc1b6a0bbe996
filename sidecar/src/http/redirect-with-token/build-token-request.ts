// Step: the token request from identity + policy decision + meeting (issueToken mints it).
import type { TokenRequest } from '../../token/claims';
import type { TokenStep } from '../token-endpoint/state';

export const buildTokenRequest: TokenStep = (ctx, next) => {
  const { identity, meeting, decision } = ctx.state;
  if (!identity || !meeting || !decision) throw new Error('buildTokenRequest runs after identity, meeting and policy');
  const request: TokenRequest = {
    user: { id: identity.userId, name: identity.name },
    room: meeting.room,
    features: decision.features,
  };
  if (identity.mail !== undefined) request.user.email = identity.mail;
  if (decision.affiliation !== undefined) request.user.affiliation = decision.affiliation;
  if (decision.moderator !== undefined) request.user.moderator = decision.moderator;
  if (decision.lobbyBypass !== undefined) request.user.lobby_bypass = decision.lobbyBypass;
  if (decision.role !== undefined) request.user.role = decision.role;
  if (meeting.tenant !== undefined) request.tenant = meeting.tenant;
  if (meeting.requestedExp !== undefined) request.requestedExp = meeting.requestedExp;
  ctx.state.tokenRequest = request;
  return next();
};
