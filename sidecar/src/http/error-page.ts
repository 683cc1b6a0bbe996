// The small HTML page a browser sees when we say no. Every piece of text is escaped, the page
// runs no script (CSP forbids it), and it never contains a token.
import { escapeHtml } from './html-escape';

export const ERROR_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Not signed in through the login service',
  403: 'Access denied',
  404: 'Not found',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service temporarily unavailable',
};

export function renderErrorPage(status: number, reason: string, message: string): string {
  const title = TITLES[status] ?? 'Error';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;color:#222}code{color:#555}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><small>Status ${status} &middot; reason <code>${escapeHtml(reason)}</code></small></p>
</body></html>
`;
}
