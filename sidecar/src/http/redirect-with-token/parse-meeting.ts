// Step 2: which meeting? room / tenant / state / validity_timestamp / jitsi_meet_external_api_id.
import type { HttpDeps } from '../deps';
import { parseMeetingRequest } from '../../meeting/meeting-request';
import { readParams } from '../query';
import type { Step } from '../token-flow';

export function parseMeeting(_deps: HttpDeps): Step {
  return (ctx) => {
    ctx.state.meeting = parseMeetingRequest(readParams(ctx.querystring));
  };
}
