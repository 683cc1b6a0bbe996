// Step (a browser without markers): send it to its meeting with the token in the URL's fragment,
// carrying back the harmless overrides its state came with (the pre-join skip only when the
// state asked). Not ctx.redirect(): its body would repeat the URL, and with it the token.
import { meetingHash } from '../../meeting/meeting-request';
import type { HttpDeps } from '../deps';
import type { TokenContext } from '../token-endpoint/state';
import type { Delivery } from './deliver-token';

export function respondRedirect({ urls }: HttpDeps): Delivery {
  return (ctx: TokenContext, meeting, token) => {
    ctx.status = 302;
    ctx.set('Location', urls.meeting(meeting.room, meeting.tenant, token, meetingHash(meeting)));
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = ''; // left unset, Koa would send its status text as the body
  };
}
