// GET /redirectWithTokenEscape: Jitsi opens the login inside an iframe; this page sends the
// top window to ./redirectWithToken with the same, validated parameters. Nothing from the
// request becomes markup or script: the target sits in a JSON data block read by a fixed
// script that the CSP allows by its hash, with a plain link as fallback.
import type Koa from 'koa';
import { jsonForScriptBlock } from '../pages/html-escape';
import { renderPage, text, type Page } from '../pages/layout';
import { meetingRequestQuery, parseMeetingRequest } from '../meeting/meeting-request';
import { sendPage, type PageCsp } from './html-page';
import { readParams } from './query';

const SCRIPT =
  "(function(){var d=document.getElementById('target');if(!d)return;" +
  'var u=new URL(JSON.parse(d.textContent),location.href);if(u.origin!==location.origin)return;' +
  'try{window.top.location.href=u.href}catch(e){location.href=u.href}})();';

export const ESCAPE_PAGE_CSP: PageCsp = { script: SCRIPT };

export function renderEscapePage(target: string): Page {
  return (view) => {
    const { escape } = view.t;
    return renderPage(view, {
      title: escape.title,
      body: `<p>${text(escape.text)}</p>\n`,
      // target="_top": the link leaves the iframe too, when the script could not.
      actions: [{ href: target, label: escape.continue, primary: true, target: '_top' }],
      tail: `
<script type="application/json" id="target">${jsonForScriptBlock(target)}</script>
<script>${SCRIPT}</script>`,
    });
  };
}

export function escapePage(ctx: Koa.Context): void {
  const target = `./redirectWithToken?${meetingRequestQuery(parseMeetingRequest(readParams(ctx.querystring)))}`;
  sendPage(ctx, ESCAPE_PAGE_CSP, renderEscapePage(target));
}
