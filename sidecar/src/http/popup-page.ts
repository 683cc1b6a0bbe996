// The inline login popup's answer (jitsi-meet config.tokenAuthInline; JITSI.md "Web, inline").
// Jitsi's page opened us with window.open and listens for a message from its own origin. One
// fixed script posts the message to window.opener with targetOrigin = exactly the PUBLIC_URL
// origin, so a popup opened by any other site posts into the void (the browser drops it), and
// closes the popup shortly after.
// Without an opener (opened in a tab, or the meeting page was closed) a token still reaches its
// meeting by the normal redirect; a refusal just stays on screen.
import { jsonForScriptBlock } from '../pages/html-escape';
import { renderPage, text, type Page } from '../pages/layout';
import type { PageCsp } from './html-page';

export type PopupMessage = { type: 'oauth-success'; accessToken: string } | { type: 'oauth-error'; error: string };

interface PopupDelivery {
  message: PopupMessage;
  /** targetOrigin of postMessage: the PUBLIC_URL origin, never '*'. */
  origin: string;
  /** Close the popup once posted (on success; Jitsi also closes it). */
  close: boolean;
  /** Where to go instead when no opener waits: the meeting URL with the token. */
  fallback?: string;
}

/**
 * Jitsi closes the popup itself once the message arrives; we close it later, for an opener that
 * does not (another site's page). Not at once: the opener polls popup.closed every 500 ms and
 * takes a popup that closed before its message arrived (another renderer process, the message
 * still in flight) for a cancelled login.
 */
const CLOSE_AFTER_MS = 1500;

const SCRIPT =
  "(function(){var e=document.getElementById('popup-message');if(!e)return;var d=JSON.parse(e.textContent);" +
  `var o=window.opener;if(o&&!o.closed){o.postMessage(d.message,d.origin);if(d.close)setTimeout(function(){window.close()},${CLOSE_AFTER_MS});return}` +
  'if(d.fallback)location.replace(d.fallback)})();';

/** Popup pages: this one script; never framed (the popup is a top-level window). */
export const POPUP_PAGE_CSP: PageCsp = { script: SCRIPT, frameAncestors: "'none'" };

/** The message block and script, appended to a page's body. */
export function popupScript(delivery: PopupDelivery): string {
  return `
<script type="application/json" id="popup-message">${jsonForScriptBlock(delivery)}</script>
<script>${SCRIPT}</script>`;
}

/**
 * Success: hand the token to the Jitsi page that opened us, or go to the meeting. The button is
 * the way on when the window stays open (no script, or an opener that does not close it).
 */
export function renderPopupSuccessPage(token: string, origin: string, meetingUrl: string): Page {
  return (view) => {
    const { signedIn } = view.t;
    return renderPage(view, {
      title: signedIn.title,
      body: `<p>${text(signedIn.text)}</p>\n`,
      actions: [{ href: meetingUrl, label: signedIn.continue, primary: true }],
      tail: popupScript({ message: { type: 'oauth-success', accessToken: token }, origin, close: true, fallback: meetingUrl }),
    });
  };
}
