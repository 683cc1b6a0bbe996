// The page a Jitsi app user sees in the system browser after the IdP (JITSI.md "Apps and links
// back"): the app opened the login there, and only a link in the app's own scheme brings the
// token back. One fixed script follows the link at once; the button is there when the browser
// wants a tap first (Chrome on Android does for intent:// links without a gesture).
import { escapeHtml, jsonForScriptBlock } from './html-escape';
import { htmlDocument, pageCsp } from './html-page';

const SCRIPT = "(function(){var e=document.getElementById('app-link');if(e)location.href=JSON.parse(e.textContent)})();";

export const APP_HANDOVER_PAGE_CSP = pageCsp({ script: SCRIPT, frameAncestors: "'none'" });

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222;text-align:center}' +
  'a.button{display:inline-block;padding:.8em 1.6em;border-radius:.4em;background:#1d6ae5;color:#fff;text-decoration:none;font-size:1.2em}';

export function renderAppHandoverPage(appLink: string): string {
  return htmlDocument(
    'Open the meeting in the app',
    `<h1>You are signed in</h1>
<p><a class="button" id="open" href="${escapeHtml(appLink)}" rel="noreferrer">Open the meeting in the app</a></p>
<p>If the app does not open by itself, tap the button. You can close this browser tab afterwards.</p>
<script type="application/json" id="app-link">${jsonForScriptBlock(appLink)}</script>
<script>${SCRIPT}</script>`,
    STYLE,
  );
}
