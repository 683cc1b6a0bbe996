// The SP's own pages (Shibboleth's error and logout templates) in our languages and look, made
// from the sidecar's catalogues and layout (sidecar/src/pages/). Shibboleth reads a template file
// per error and fills its <shibmlp name/> tags (SP3 wiki, "Errors"); it has no notion of
// language, so there is one file per language, and Apache picks one from Accept-Language for each
// request (ShibRequestSetting sessionError etc. in locations.conf, generated here too; Shibboleth
// reads <page>Error from the request's settings before the <Errors> element: cpp-sp 3.4.1
// shibsp/ServiceProvider.cpp sendError). The logout templates cannot be chosen per request
// (LogoutHandler::sendLogoutPage reads only <Errors>), so the one logout page sends the browser
// on to the sidecar's signed-out page, which speaks the reader's language.
// The operator's branding is filled in at container start by saml2jwt-render-pages; here it is
// ${SAML2JWT_...} placeholders. `npm run docs` writes the files; a unit test fails when they are stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUES, LANGUAGES, type Language, type Messages } from '../../sidecar/src/pages/catalogue';
import { escapeHtml } from '../../sidecar/src/pages/html-escape';
import { homeAction, markup, renderPage, text, type PageView } from '../../sidecar/src/pages/layout';
import type { PageLook } from '../../sidecar/src/pages/look';
import { packageRoot } from '../package-root';

export const SP_PAGES_DIR = 'shib-image/rootfs/defaults/pages';

/** Shibboleth's error templates we replace, by the request setting that names each (<page>Error). */
export const SP_ERROR_PAGES = ['sessionError', 'metadataError', 'accessError', 'sslError'] as const;
export type SpErrorPage = (typeof SP_ERROR_PAGES)[number];

/** What saml2jwt-render-pages fills in at start (names it substitutes, and only these). */
export const SP_PLACEHOLDERS = {
  brandName: '${SAML2JWT_BRAND_NAME}',
  color: '${SAML2JWT_BRAND_COLOR}',
  onColor: '${SAML2JWT_BRAND_ON_COLOR}',
  logoUrl: '${SAML2JWT_BRAND_LOGO_URL}',
  imgSrc: '${SAML2JWT_IMG_SRC}',
  homeUrl: '${SAML2JWT_HOME_URL}',
  supportUrl: '${SAML2JWT_SUPPORT_URL}',
  supportEmail: '${SAML2JWT_SUPPORT_EMAIL}',
} as const;

const SP_LOOK: PageLook = {
  brandName: SP_PLACEHOLDERS.brandName,
  color: SP_PLACEHOLDERS.color,
  onColor: SP_PLACEHOLDERS.onColor,
  logoUrl: SP_PLACEHOLDERS.logoUrl,
  homeUrl: SP_PLACEHOLDERS.homeUrl,
  supportUrl: SP_PLACEHOLDERS.supportUrl,
  supportEmail: SP_PLACEHOLDERS.supportEmail,
};

/** The sidecar's page CSP, as a meta element (Apache sends none with Shibboleth's pages); the logo's source is filled in at start. */
const CSP_META = `\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${SP_PLACEHOLDERS.imgSrc}; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">`;

export function renderSpErrorPage(page: SpErrorPage, lang: Language, t: Messages = CATALOGUES[lang]): string {
  const view: PageView = { lang, t, look: SP_LOOK };
  const words = t.sp[page];
  return renderPage(view, {
    title: words.title,
    head: CSP_META,
    // errorURL: the IdP's own help page, from its metadata, when it has one.
    body: `<p>${text(words.what)}</p>\n<p>${text(words.advice)}</p>\n<shibmlpif errorURL><p><a href="<shibmlp errorURL/>" rel="noreferrer">${text(t.sp.idpHelp)}</a></p></shibmlpif>\n`,
    actions: [homeAction(view, true)],
    support: {},
    // errorText as in Shibboleth's own templates (its engine HTML-encodes it): what the helpdesk searches for.
    helpdesk: markup(t.sp.helpdesk, { code: '<code><shibmlp errorType/>: <shibmlp errorText/></code>', time: '<shibmlp now/>' }),
  });
}

/** The logout page: straight on to the sidecar's signed-out page (same host, path and host mode alike). */
export function renderSpLogoutPage(t: Messages = CATALOGUES.en): string {
  const view: PageView = { lang: 'en', t, look: SP_LOOK };
  const target = '/saml2jwt/loggedOut';
  return renderPage(view, {
    title: t.sp.logout.title,
    head: `${CSP_META}\n<meta http-equiv="refresh" content="0;url=${escapeHtml(target)}">`,
    actions: [{ href: target, label: t.sp.logout.continue, primary: true }],
  });
}

/** Every file under SP_PAGES_DIR, by its path there. */
export function spPageFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const lang of LANGUAGES) for (const page of SP_ERROR_PAGES) files.set(`${lang}/${page}.html`, renderSpErrorPage(page, lang));
  files.set('logout.html', renderSpLogoutPage());
  return files;
}

// --- Apache: the language of the error pages -------------------------------------------------
const BEGIN = '# --- error page languages: generated from sidecar/src/pages by `npm run docs` ---';
const END = '# --- end of error page languages ---';

/**
 * The first of our languages that Accept-Language lists (browsers list them best first), each
 * in a test Apache evaluates per request; English, the fallback, is the <Errors> element's.
 */
export function languageCondition(lang: Language): string {
  const ours = LANGUAGES.join('|');
  return `%{HTTP:Accept-Language} =~ /^(?:(?!\\s*(?:${ours})\\b)[^,]*,)*\\s*${lang}\\b/i`;
}

export function renderLanguageBlock(): string {
  const lines: string[] = [];
  LANGUAGES.filter((l) => l !== 'en').forEach((lang, i) => {
    lines.push(`<${i === 0 ? 'If' : 'ElseIf'} "${languageCondition(lang)}">`);
    for (const page of SP_ERROR_PAGES) lines.push(`    ShibRequestSetting ${page} "\${SHIB_CONFIG_DIR}/pages/${lang}/${page}.html"`);
    lines.push(`</${i === 0 ? 'If' : 'ElseIf'}>`);
  });
  return lines.join('\n');
}

export function withFreshLanguageBlock(conf: string): string {
  const start = conf.indexOf(BEGIN);
  const end = conf.indexOf(END);
  if (start < 0 || end < start) throw new Error(`locations.conf lacks the markers ${BEGIN} ... ${END}`);
  return `${conf.slice(0, start + BEGIN.length)}\n${renderLanguageBlock()}\n${conf.slice(end)}`;
}

if (require.main === module) {
  const root = packageRoot();
  for (const [file, html] of spPageFiles()) {
    mkdirSync(path.dirname(path.join(root, SP_PAGES_DIR, file)), { recursive: true });
    writeFileSync(path.join(root, SP_PAGES_DIR, file), html);
  }
  const conf = path.join(root, 'shib-image/rootfs/defaults/locations.conf');
  writeFileSync(conf, withFreshLanguageBlock(readFileSync(conf, 'utf8')));
  process.stdout.write(`${SP_PAGES_DIR}: the SP's error pages regenerated from sidecar/src/pages, and their languages in locations.conf\n`);
}
