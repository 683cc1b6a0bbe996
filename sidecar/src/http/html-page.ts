// What every page of ours shares: the headers that keep it private and inert, and the choice of
// the reader's language. A page may run one fixed inline script, allowed by its CSP hash (never
// 'unsafe-inline'); request data reaches that script only through a JSON block
// (pages/html-escape.ts jsonForScriptBlock). Nothing loads from elsewhere, except the operator's
// logo (BRAND_LOGO_URL), allowed by exactly its URL.
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { CATALOGUES, FALLBACK_LANGUAGE, isLanguage, LANGUAGES, type Language } from '../pages/catalogue';
import type { Page, PageView } from '../pages/layout';
import { logoSource, type PageLook } from '../pages/look';

/** A page's script and who may frame it; the logo is added from the look (pageCsp). */
export interface PageCsp {
  script?: string;
  frameAncestors?: string;
}

/** The page's Content-Security-Policy: nothing loads but the logo, and at most the one given script runs. */
export function pageCsp(csp: PageCsp, look: Pick<PageLook, 'logoUrl'>): string {
  const scriptSrc = csp.script === undefined ? '' : ` script-src 'sha256-${createHash('sha256').update(csp.script, 'utf8').digest('base64')}';`;
  const imgSrc = look.logoUrl === undefined ? '' : ` img-src ${logoSource(look.logoUrl)};`;
  const frames = csp.frameAncestors === undefined ? '' : `; frame-ancestors ${csp.frameAncestors}`;
  return `default-src 'none';${scriptSrc}${imgSrc} style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'${frames}`;
}

declare module 'koa' {
  interface DefaultContext {
    /** The operator's look, set once on app.context (http-app.ts). */
    pageLook?: PageLook;
  }
}

/** The reader's language: the best of ours that Accept-Language names (Koa: negotiator), else English. */
export function readerLanguage(ctx: Koa.Context): Language {
  const best = ctx.acceptsLanguages([...LANGUAGES]);
  return typeof best === 'string' && isLanguage(best) ? best : FALLBACK_LANGUAGE;
}

export function pageView(ctx: Koa.Context): PageView {
  const look = ctx.pageLook;
  if (look === undefined) throw new Error('pageLook is not set on this app (createHttpApp sets it)');
  const lang = readerLanguage(ctx);
  return { lang, t: CATALOGUES[lang], look };
}

/** Answers with a page in the reader's language: never cached (it may carry a token), no referrer, no sniffing. */
export function sendPage(ctx: Koa.Context, csp: PageCsp, page: Page): void {
  const view = pageView(ctx);
  ctx.set('Content-Security-Policy', pageCsp(csp, view.look));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Language', view.lang);
  ctx.vary('Accept-Language');
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page(view);
}
