// The page a browser sees when we say no: what happened, in words a person understands, what they
// can do (the ways on: try again, sign in with another account, the home page, support), and the
// reason code small at the bottom for the helpdesk. Every piece of text is escaped and it never
// contains a token. It runs no script, except in the inline login popup, where the one fixed
// script of popup-page.ts tells the waiting Jitsi page why (oauth-error).
import { escapeHtml } from '../pages/html-escape';
import { homeAction, markup, renderPage, text, type Action, type Page, type PageView } from '../pages/layout';
import { isReasonCode, REASONS, type ReasonCode, type WayOn } from '../pages/reasons';
import type { PageCsp } from './html-page';

export const ERROR_PAGE_CSP: PageCsp = {};

/** The refusal as shown: its status, its reason code, and its message (the operator's words for some reasons). */
export interface RefusalShown {
  status: number;
  reason: string;
  message: string;
}

/** Links that repeat the refused request (built from its validated values only): where a way on leads. */
export type WayOnLinks = Partial<Record<WayOn, string>>;

/** A reason we do not know (a bug: a test keeps every thrown reason in the catalogue) reads as its status's kind. */
function wordsReason(reason: string, status: number): ReasonCode {
  if (isReasonCode(reason)) return reason;
  return status >= 500 ? 'internal' : 'bad_request';
}

function titleOf(view: PageView, status: number): string {
  const titles: Record<string, string> = view.t.titles;
  return titles[String(status)] ?? view.t.titles['500'];
}

/** `tail`: markup appended after the card (the popup's message block and script). */
export function renderErrorPage(refusal: RefusalShown, links: WayOnLinks = {}, tail = ''): Page {
  return (view) => {
    const { t } = view;
    const code = wordsReason(refusal.reason, refusal.status);
    const info = REASONS[code];
    const words = t.reasons[code];
    const actions: Action[] = [];
    for (const way of info.wayOn) {
      const href = links[way];
      if (href !== undefined) actions.push({ href, label: t.actions[way], primary: actions.length === 0 });
    }
    actions.push(homeAction(view, actions.length === 0));
    const detail = 'showsMessage' in info && refusal.message !== '' ? `\n<p class="detail">${text(t.page.detail, { detail: refusal.message })}</p>` : '';
    return renderPage(view, {
      title: titleOf(view, refusal.status),
      body: `<p>${text(words.what)}</p>${detail}\n<p>${text(words.advice)}</p>\n`,
      actions,
      support: { code: refusal.reason },
      helpdesk: markup(t.page.helpdesk, { code: `<code>${escapeHtml(refusal.reason)}</code>`, status: String(refusal.status) }),
      tail,
    });
  };
}
