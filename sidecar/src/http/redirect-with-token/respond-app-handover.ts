// Step (the iOS, Android or Electron app, marked in state): a page that opens the meeting in
// the app through its own scheme (app-handover-page.ts; links built in meeting/meeting-url.ts).
import { meetingHash } from '../../meeting/meeting-request';
import type { AppMarker } from '../../meeting/login-client';
import type { HttpDeps } from '../deps';
import { APP_HANDOVER_PAGE_CSP, renderAppHandoverPage } from '../app-handover-page';
import { sendPage } from '../html-page';
import type { Delivery } from './deliver-token';

export function respondAppHandover({ urls }: HttpDeps, app: AppMarker): Delivery {
  return (ctx, meeting, token) => {
    const link = urls.appLink(app, meeting.room, meeting.tenant, token, meetingHash(meeting));
    sendPage(ctx, APP_HANDOVER_PAGE_CSP, renderAppHandoverPage(link));
  };
}
