// Step: send the browser to its meeting with the token (Jitsi reads ?jwt=), carrying back
// the harmless overrides its state came with (the pre-join skip only when the state asked).
// Not ctx.redirect(): its body would repeat the URL, and with it the token.
import type { MeetingHash } from '../../meeting/meeting-url';
import type { HttpDeps } from '../deps';
import type { TokenStep } from '../token-endpoint/state';

export function respondRedirect({ urls }: HttpDeps): TokenStep {
  return (ctx) => {
    const { meeting, minted } = ctx.state;
    if (!meeting || !minted) throw new Error('respondRedirect runs after issueToken');
    const hash: MeetingHash = { overrides: meeting.overrides };
    if (meeting.externalApiId !== undefined) hash.externalApiId = meeting.externalApiId;
    ctx.status = 302;
    ctx.set('Location', urls.meeting(meeting.room, meeting.tenant, minted.token, hash));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = ''; // left unset, Koa would send its status text as the body
  };
}
