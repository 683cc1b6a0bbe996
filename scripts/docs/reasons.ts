// docs/reasons.md: every reason code the sidecar answers with, its status, what it means and the
// way on a refusal page offers, made from sidecar/src/pages/reasons.ts and the English catalogue.
// `npm run docs` rewrites it; a unit test fails when it is stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUES } from '../../sidecar/src/pages/catalogue';
import { REASONS, type ReasonCode, type ReasonInfo } from '../../sidecar/src/pages/reasons';
import { packageRoot } from '../package-root';

export const REASONS_DOC = 'docs/reasons.md';

const WAY_ON = { retry: 'try again', switchAccount: 'sign in with another account (the SP\'s logout, then the same login)' } as const;

const cell = (text: string): string => text.replace(/\|/g, '\\|');

export function renderReasonsDoc(): string {
  const en = CATALOGUES.en;
  const rows = (Object.entries(REASONS) as [ReasonCode, ReasonInfo][]).map(([code, info]) => {
    const ways = info.apiOnly ? '(none: the JSON `error` field)' : [...info.wayOn.map((w) => WAY_ON[w]), 'the home page', 'support (when set)'].join(', ');
    const where = info.apiOnly ? 'backend API (JSON)' : 'browser page';
    const note = info.showsMessage ? ' The page also shows the policy rule\'s own `reason`.' : '';
    return `| \`${code}\` | ${info.status} | ${where} | ${cell(en.reasons[code].what)} | ${cell(en.reasons[code].advice)}${note} | ${ways} |`;
  });
  return [
    '# Reason codes',
    '',
    '<!-- generated from sidecar/src/pages/reasons.ts and sidecar/src/pages/messages/en.json by `npm run docs`; do not edit -->',
    '',
    'Every refusal of the sidecar carries a stable reason code: in its audit log line (`token_refused`), in the',
    '`saml2jwt_tokens_refused_total` metric, in `AUTH_ERROR_PAGE`\'s `reason=` parameter, in the inline popup\'s',
    '`oauth-error` message, in the backend API\'s JSON `error`, and small at the bottom of the refusal page, for the',
    'helpdesk. The page itself says what happened and what to do in the reader\'s language (English shown here;',
    'every language has the same entries), and offers the ways on listed.',
    '',
    '| Code | Status | Seen on | What happened | What the user is told to do | Ways on offered |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(path.join(packageRoot(), REASONS_DOC), renderReasonsDoc());
  process.stdout.write(`${REASONS_DOC} regenerated from the reason table and the English catalogue\n`);
}
