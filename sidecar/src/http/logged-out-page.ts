// GET /saml2jwt/loggedOut: where the SP's logout returns (tokenLogoutUrl's `return` target).
// Jitsi's inline logout loads tokenLogoutUrl in a hidden iframe and waits for
// { type: 'logout-success' } from its own origin (jitsi-meet authentication/actions.web.ts
// silentLogout); one fixed script posts it to window.parent with exactly the PUBLIC_URL origin.
// Loaded as a window (full-page web logout, Electron's new window, the apps' system browser)
// it is a plain "signed out" page. It needs no session and reads nothing from the request but
// the reader's language.
import type Koa from 'koa';
import { jsonForScriptBlock } from '../pages/html-escape';
import { homeAction, renderPage, text, type Page } from '../pages/layout';
import { sendPage, type PageCsp } from './html-page';

const SCRIPT =
  "(function(){var e=document.getElementById('parent-origin');if(!e||window.parent===window)return;" +
  "window.parent.postMessage({type:'logout-success'},JSON.parse(e.textContent))})();";

/** Only the Jitsi page itself may frame it. */
export const loggedOutPageCsp = (origin: string): PageCsp => ({ script: SCRIPT, frameAncestors: origin });

export function renderLoggedOutPage(origin: string): Page {
  return (view) => {
    const { signedOut } = view.t;
    return renderPage(view, {
      title: signedOut.title,
      body: `<p>${text(signedOut.text)}</p>\n<p>${text(signedOut.advice)}</p>\n`,
      actions: [homeAction(view, true)],
      tail: `
<script type="application/json" id="parent-origin">${jsonForScriptBlock(origin)}</script>
<script>${SCRIPT}</script>`,
    });
  };
}

export function loggedOutPage(origin: string): Koa.Middleware {
  const csp = loggedOutPageCsp(origin);
  const page = renderLoggedOutPage(origin);
  return (ctx) => sendPage(ctx, csp, page);
}
