// GET /redirectWithTokenEscape: Jitsi opens the login inside an iframe; this page sends the
// top window to ./redirectWithToken with the same, validated parameters. Nothing from the
// request becomes markup or script: the target sits in a JSON data block read by a fixed
// script that the CSP allows by its hash, with a plain link as fallback.
import type Koa from 'koa';
import { htmlDocument, pageCsp, sendPage } from './html-page';
import { escapeHtml, jsonForScriptBlock } from './html-escape';
import { meetingRequestQuery, parseMeetingRequest } from '../meeting/meeting-request';
import { readParams } from './query';

const SCRIPT =
  "(function(){var d=document.getElementById('target');if(!d)return;" +
  'var u=new URL(JSON.parse(d.textContent),location.href);if(u.origin!==location.origin)return;' +
  'try{window.top.location.href=u.href}catch(e){location.href=u.href}})();';

export const ESCAPE_PAGE_CSP = pageCsp({ script: SCRIPT });

export function renderEscapePage(target: string): string {
  return htmlDocument(
    'Continue to the meeting',
    `<script type="application/json" id="target">${jsonForScriptBlock(target)}</script>
<p><a href="${escapeHtml(target)}" target="_top" rel="noreferrer">Continue to the meeting</a></p>
<script>${SCRIPT}</script>`,
  );
}

export function escapePage(ctx: Koa.Context): void {
  const target = `./redirectWithToken?${meetingRequestQuery(parseMeetingRequest(readParams(ctx.querystring)))}`;
  sendPage(ctx, ESCAPE_PAGE_CSP, renderEscapePage(target));
}
