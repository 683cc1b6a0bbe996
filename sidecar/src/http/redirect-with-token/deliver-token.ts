// Step: the token goes back the way the client that asked can take it (meeting/login-client.ts):
// a 302 for a browser, a postMessage page for the inline popup, a hand-over page for an app.
import type { MeetingRequest } from '../../meeting/meeting-request';
import type { HttpDeps } from '../deps';
import type { TokenContext, TokenStep } from '../token-endpoint/state';
import { respondAppHandover } from './respond-app-handover';
import { respondPopup } from './respond-popup';
import { respondRedirect } from './respond-redirect';

/** One way of answering with a freshly minted token. */
export type Delivery = (ctx: TokenContext, meeting: MeetingRequest, token: string) => void;

export function deliverToken(deps: HttpDeps): TokenStep {
  const browser = respondRedirect(deps);
  const popup = respondPopup(deps);
  const apps = { ios: respondAppHandover(deps, 'ios'), android: respondAppHandover(deps, 'android'), electron: respondAppHandover(deps, 'electron') };
  return (ctx) => {
    const { meeting, minted } = ctx.state;
    if (!meeting || !minted) throw new Error('deliverToken runs after issueToken');
    const { client } = meeting;
    const deliver = client.kind === 'browser' ? browser : client.kind === 'popup' ? popup : apps[client.app];
    deliver(ctx, meeting, minted.token);
  };
}
