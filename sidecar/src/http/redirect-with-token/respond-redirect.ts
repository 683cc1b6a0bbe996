// Step 6: send the browser to its meeting with the token (Jitsi reads ?jwt=), skipping the
// pre-join screen and carrying back the overrides it came with.
import type { HttpDeps } from '../deps';
import type { MeetingHash } from '../../meeting/meeting-url';
import { sendDirect } from '../send-direct';
import type { Step } from '../token-flow';

export function respondRedirect({ urls }: HttpDeps): Step {
  return (ctx) => {
    const { meeting, minted } = ctx.state;
    if (!meeting || !minted) throw new Error('respondRedirect runs after assignClaims');
    const hash: MeetingHash = { overrides: meeting.overrides };
    if (meeting.externalApiId !== undefined) hash.externalApiId = meeting.externalApiId;
    sendDirect(ctx, 302, {
      Location: urls.meeting(meeting.room, meeting.tenant, minted.token, hash),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'Content-Type': 'text/plain; charset=utf-8',
    });
  };
}
