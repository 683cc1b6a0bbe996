// GET /redirectWithTokenEscape: Jitsi opens the login inside an iframe; this page sends the
// top window to ./redirectWithToken with the same, validated parameters. Nothing from the
// request becomes markup or script: the target sits in a JSON data block read by a fixed
// script that the CSP allows by its hash, with a plain link as fallback.
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { escapeHtml, jsonForScriptBlock } from './html-escape';
import { meetingRequestQuery, parseMeetingRequest } from '../meeting/meeting-request';
import { readParams } from './query';

const SCRIPT =
  "(function(){var d=document.getElementById('target');if(!d)return;" +
  'var u=new URL(JSON.parse(d.textContent),location.href);if(u.origin!==location.origin)return;' +
  'try{window.top.location.href=u.href}catch(e){location.href=u.href}})();';

const SCRIPT_HASH = createHash('sha256').update(SCRIPT, 'utf8').digest('base64');

export const ESCAPE_PAGE_CSP =
  `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'`;

export function renderEscapePage(target: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>Continue to the meeting</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}</style></head><body>
<script type="application/json" id="target">${jsonForScriptBlock(target)}</script>
<p><a href="${escapeHtml(target)}" target="_top" rel="noreferrer">Continue to the meeting</a></p>
<script>${SCRIPT}</script>
</body></html>
`;
}

export function escapePage(ctx: Koa.Context): void {
  const target = `./redirectWithToken?${meetingRequestQuery(parseMeetingRequest(readParams(ctx.querystring)))}`;
  ctx.set('Content-Security-Policy', ESCAPE_PAGE_CSP);
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = renderEscapePage(target);
}
