// Step: which meeting? room / tenant / state / validity_timestamp / jitsi_meet_external_api_id.
import { parseMeetingRequest } from '../../meeting/meeting-request';
import { readParams } from '../query';
import type { TokenStep } from '../token-endpoint/state';

export const parseMeeting: TokenStep = (ctx, next) => {
  ctx.state.meeting = parseMeetingRequest(readParams(ctx.querystring));
  return next();
};
