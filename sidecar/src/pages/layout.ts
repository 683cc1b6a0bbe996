// The skeleton of every page: the branded bar, one card with a heading, the page's own content,
// the ways on (buttons), support, and the helpdesk line at the bottom. Every text comes from the
// reader's catalogue and is escaped here; callers hand in markup they built from escaped values.
import type { Language, Messages } from './catalogue';
import { fill } from './catalogue';
import { escapeHtml } from './html-escape';
import { pageStyle, type PageLook } from './look';

/** A reader's view of the site: their language and its words, and the operator's look. */
export interface PageView {
  lang: Language;
  t: Messages;
  look: PageLook;
}

/** A page that is rendered once the reader's language is known (html-page.ts sendPage). */
export type Page = (view: PageView) => string;

export interface Action {
  href: string;
  /** Plain text. */
  label: string;
  primary?: boolean;
  /** Set on a link in an app's own scheme, read by the page's script. */
  id?: string;
  /** '_top': the link leaves the iframe the page is in. */
  target?: '_top';
}

export interface PageParts {
  /** Plain text: the heading and the document title. */
  title: string;
  /** Markup between the heading and the actions. */
  body?: string;
  actions?: readonly Action[];
  /** Show the support contact the operator configured. */
  support?: { code?: string };
  /** Markup: the helpdesk line at the bottom (small). */
  helpdesk?: string;
  /** Markup after the card: data blocks and the page's one script. */
  tail?: string;
  /** Markup at the end of <head> (the SP's pages carry their CSP in a meta element). */
  head?: string;
}

/** Plain text from a message, its {placeholders} filled with plain text, escaped for HTML. */
export function text(message: string, values: Readonly<Record<string, string>> = {}): string {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)]));
  return fill(message, escaped, escapeHtml);
}

/** A message whose {placeholders} are markup the caller built from escaped values (a <code> element). */
export function markup(message: string, values: Readonly<Record<string, string>>): string {
  return fill(message, values, escapeHtml);
}

/** The home page of the site: every page but the short-lived hand-overs offers it. */
export function homeAction(view: PageView, primary = false): Action {
  return { href: view.look.homeUrl, label: fill(view.t.actions.home, { brand: view.look.brandName }), primary };
}

function renderActions(actions: readonly Action[]): string {
  if (actions.length === 0) return '';
  const links = actions.map(
    (a) =>
      `<a class="button${a.primary ? ' primary' : ''}"${a.id ? ` id="${escapeHtml(a.id)}"` : ''} href="${escapeHtml(a.href)}"${a.target ? ` target="${a.target}"` : ''} rel="noreferrer">${escapeHtml(a.label)}</a>`,
  );
  return `<div class="actions">${links.join('')}</div>`;
}

/** SUPPORT_URL and SUPPORT_EMAIL, each when set; the mail's subject names the reason for the helpdesk, when there is one. */
function renderSupport(view: PageView, code: string | undefined): string {
  const { look, t } = view;
  const links: string[] = [];
  if (look.supportUrl !== undefined) links.push(`<a href="${escapeHtml(look.supportUrl)}" rel="noreferrer">${text(t.actions.supportUrl)}</a>`);
  if (look.supportEmail !== undefined) {
    const subject = code === undefined ? '' : `?subject=${encodeURIComponent(fill(t.actions.emailSubject, { brand: look.brandName, code }))}`;
    const href = `mailto:${look.supportEmail}${subject}`;
    links.push(`<a href="${escapeHtml(href)}">${text(t.actions.supportEmail, { email: look.supportEmail })}</a>`);
  }
  return links.length === 0 ? '' : `<p class="support">${links.join('<br>')}</p>`;
}

export function renderPage(view: PageView, parts: PageParts): string {
  const { t, look, lang } = view;
  const logo = look.logoUrl === undefined ? '' : `<img class="logo" src="${escapeHtml(look.logoUrl)}" alt="">`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${text(t.page.documentTitle, { title: parts.title, brand: look.brandName })}</title>
<style>${pageStyle(look)}</style>${parts.head ?? ''}
</head><body>
<header class="bar">${logo}<span class="brand">${escapeHtml(look.brandName)}</span></header>
<main>
<h1>${escapeHtml(parts.title)}</h1>
${parts.body ?? ''}${renderActions(parts.actions ?? [])}${parts.support ? renderSupport(view, parts.support.code) : ''}${parts.helpdesk ? `<p class="code">${parts.helpdesk}</p>` : ''}
</main>${parts.tail ?? ''}
</body></html>
`;
}
