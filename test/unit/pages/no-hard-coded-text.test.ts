// No page writes text of its own: rendered with a catalogue whose every message is ⟦its key⟧,
// a page shows nothing but those marks and the operator's values.
import { expect } from 'chai';
import { renderAppHandoverPage } from '../../../sidecar/src/http/app-handover-page';
import { renderErrorPage } from '../../../sidecar/src/http/error-page';
import { renderEscapePage } from '../../../sidecar/src/http/escape-page';
import { renderLoggedOutPage } from '../../../sidecar/src/http/logged-out-page';
import { popupScript, renderPopupSuccessPage } from '../../../sidecar/src/http/popup-page';
import type { Page, PageView } from '../../../sidecar/src/pages/layout';
import { REASONS } from '../../../sidecar/src/pages/reasons';
import { keyCatalogue, MARK_CLOSE, MARK_OPEN, TEST_LOOK } from '../../support/page-views';
import { visibleText } from '../../support/visible-text';

const LOOK = { ...TEST_LOOK, brandName: 'BRANDNAME', logoUrl: 'https://cdn.example.org/logo.svg', supportUrl: 'https://help.example.org/', supportEmail: 'help@example.org' };
const VIEW: PageView = { lang: 'en', t: keyCatalogue(), look: LOOK };
const LINKS = { retry: '/saml2jwt/redirectWithToken?room=a', switchAccount: '/saml2jwt/Shibboleth.sso/Logout?return=x' };

/** What is left of a page's visible text once every catalogue mark and the operator's values are taken out. */
export function ownText(html: string): string {
  // Innermost first: a message's value may itself be a message (the title in the document title).
  const mark = new RegExp(`${MARK_OPEN}[^${MARK_OPEN}${MARK_CLOSE}]*${MARK_CLOSE}`, 'g');
  let text = visibleText(html);
  for (let before = ''; before !== text; ) [before, text] = [text, text.replace(mark, ' ')];
  return text.replace(/BRANDNAME/g, ' ').replace(/\s+/g, ' ').trim();
}

const PAGES: [string, Page][] = [
  ...Object.entries(REASONS).map(([reason, { status }]): [string, Page] => [`refusal ${reason}`, renderErrorPage({ status, reason, message: 'the operator says no' }, LINKS)]),
  ['refusal in the popup', renderErrorPage({ status: 403, reason: 'policy_denied', message: 'no' }, {}, popupScript({ message: { type: 'oauth-error', error: 'policy_denied' }, origin: 'https://meet.example.org', close: false }))],
  ['popup success', renderPopupSuccessPage('eyJ.x.y', 'https://meet.example.org', 'https://meet.example.org/room')],
  ['app hand-over', renderAppHandoverPage('org.jitsi.meet://meet.example.org/room')],
  ['iframe escape', renderEscapePage('./redirectWithToken?room=a')],
  ['signed out', renderLoggedOutPage('https://meet.example.org')],
];

describe('pages: no page hard-codes text', () => {
  for (const [name, page] of PAGES) {
    it(name, () => {
      const html = page(VIEW);
      expect(html).to.include(MARK_OPEN);
      expect(ownText(html)).to.equal('');
    });
  }

  it('the check finds text a page wrote itself', () => {
    const html = renderPopupSuccessPage('t', 'o', 'u')(VIEW).replace('</main>', '<p>Hello</p></main>');
    expect(ownText(html)).to.equal('Hello');
  });
});
