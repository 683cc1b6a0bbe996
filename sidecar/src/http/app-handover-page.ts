// The page a Jitsi app user sees in the system browser after the IdP (JITSI.md "Apps and links
// back"): the app opened the login there, and only a link in the app's own scheme brings the
// token back. One fixed script follows the link at once; the button is there when the browser
// wants a tap first (Chrome on Android does for intent:// links without a gesture).
import { jsonForScriptBlock } from '../pages/html-escape';
import { renderPage, text, type Page } from '../pages/layout';
import type { PageCsp } from './html-page';

const SCRIPT = "(function(){var e=document.getElementById('app-link');if(e)location.href=JSON.parse(e.textContent)})();";

export const APP_HANDOVER_PAGE_CSP: PageCsp = { script: SCRIPT, frameAncestors: "'none'" };

export function renderAppHandoverPage(appLink: string): Page {
  return (view) => {
    const { appHandover } = view.t;
    return renderPage(view, {
      title: appHandover.title,
      body: `<p>${text(appHandover.hint)}</p>\n`,
      actions: [{ href: appLink, label: appHandover.open, primary: true, id: 'open' }],
      tail: `
<script type="application/json" id="app-link">${jsonForScriptBlock(appLink)}</script>
<script>${SCRIPT}</script>`,
    });
  };
}
