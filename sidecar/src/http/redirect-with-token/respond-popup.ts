// Step (Jitsi's inline login popup, `nonce`): a page that posts the token to the Jitsi page
// that opened it, on the PUBLIC_URL origin only (popup-page.ts).
import { meetingHash } from '../../meeting/meeting-request';
import type { HttpDeps } from '../deps';
import { sendPage } from '../html-page';
import { POPUP_PAGE_CSP, renderPopupSuccessPage } from '../popup-page';
import type { Delivery } from './deliver-token';

export function respondPopup({ cfg, urls }: HttpDeps): Delivery {
  const origin = cfg.publicUrl.origin;
  return (ctx, meeting, token) => {
    const fallback = urls.meeting(meeting.room, meeting.tenant, token, meetingHash(meeting));
    sendPage(ctx, POPUP_PAGE_CSP, renderPopupSuccessPage(token, origin, fallback));
  };
}
