// The small HTML page a browser sees when we say no. Every piece of text is escaped and it never
// contains a token. It runs no script, except in the inline login popup, where the one fixed
// script of popup-page.ts tells the waiting Jitsi page why (oauth-error).
import { htmlDocument, pageCsp } from './html-page';
import { escapeHtml } from './html-escape';

export const ERROR_PAGE_CSP = pageCsp();

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in through the login service',
  403: 'Access denied',
  404: 'Not found',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service temporarily unavailable',
};

/** `extra`: markup appended to the body (the popup's message block and script). */
export function renderErrorPage(status: number, reason: string, message: string, extra = ''): string {
  const title = TITLES[status] ?? 'Error';
  return htmlDocument(
    title,
    `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><small>Status ${status} &middot; reason <code>${escapeHtml(reason)}</code></small></p>${extra}`,
  );
}
