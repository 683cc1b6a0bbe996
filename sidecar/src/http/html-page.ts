// What every page of ours shares: one HTML skeleton, and the headers that keep it private and
// inert. A page may run one fixed inline script, allowed by its CSP hash (never 'unsafe-inline');
// request data reaches that script only through a JSON block (html-escape.ts jsonForScriptBlock).
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { escapeHtml } from './html-escape';

const STYLE = 'body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}code{color:#555}';

/** The page's Content-Security-Policy: nothing loads, and at most the one given script runs. */
export function pageCsp(options: { script?: string; frameAncestors?: string } = {}): string {
  const scriptSrc = options.script === undefined ? '' : ` script-src 'sha256-${createHash('sha256').update(options.script, 'utf8').digest('base64')}';`;
  const frames = options.frameAncestors === undefined ? '' : `; frame-ancestors ${options.frameAncestors}`;
  return `default-src 'none';${scriptSrc} style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'${frames}`;
}

/** A complete page; `body` is markup the caller built from escaped values. */
export function htmlDocument(title: string, body: string, style = STYLE): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>${style}</style>
</head><body>
${body}
</body></html>
`;
}

/** Answers with a page: never cached (it may carry a token), no referrer, no sniffing. */
export function sendPage(ctx: Koa.Context, csp: string, html: string): void {
  ctx.set('Content-Security-Policy', csp);
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = html;
}
