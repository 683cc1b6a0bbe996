// The SP's own pages: made from the sidecar's catalogues and layout (current, every language, no
// text of their own), and branded at start by saml2jwt-render-pages by the sidecar's rules.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { renderLanguageBlock, renderSpErrorPage, renderSpLogoutPage, SP_ERROR_PAGES, SP_PAGES_DIR, spPageFiles, withFreshLanguageBlock } from '../../../scripts/docs/sp-pages';
import { readBranding } from '../../../sidecar/src/config/branding';
import { LANGUAGES } from '../../../sidecar/src/pages/catalogue';
import { textColorOn } from '../../../sidecar/src/pages/look';
import { BAD_BRANDING } from '../../support/bad-branding';
import { keyCatalogue, MARK_CLOSE, MARK_OPEN } from '../../support/page-views';
import { visibleText } from '../../support/visible-text';

const root = path.resolve(__dirname, '../../..');
const RENDER_PAGES = path.join(root, 'shib-image/rootfs/usr/local/bin/saml2jwt-render-pages');
const LOCATIONS = path.join(root, 'shib-image/rootfs/defaults/locations.conf');

function renderPages(env: Record<string, string>): { status: number | null; stderr: string; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-pages-'));
  const r = spawnSync('bash', [RENDER_PAGES], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', SAML2JWT_TEMPLATES: path.join(root, 'shib-image/rootfs/defaults'), SHIB_CONFIG_DIR: dir, PUBLIC_URL: 'https://meet.example.org', ...env },
    encoding: 'utf8',
  });
  return { status: r.status, stderr: r.stderr, dir };
}

describe('SP pages: Shibboleth\'s templates, ours', () => {
  it('are current (run `npm run docs` after changing a catalogue or the layout)', () => {
    for (const [file, html] of spPageFiles()) expect(readFileSync(path.join(root, SP_PAGES_DIR, file), 'utf8'), file).to.equal(html);
    expect(readdirSync(path.join(root, SP_PAGES_DIR)).sort()).to.deep.equal([...LANGUAGES, 'logout.html'].sort());
    expect(readFileSync(LOCATIONS, 'utf8')).to.equal(withFreshLanguageBlock(readFileSync(LOCATIONS, 'utf8')));
  });

  it('Apache names every language but the fallback, each with every error page', () => {
    const block = renderLanguageBlock();
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      for (const page of SP_ERROR_PAGES) expect(block).to.include(`ShibRequestSetting ${page} "\${SHIB_CONFIG_DIR}/pages/${lang}/${page}.html"`);
    }
    expect(block).to.not.include('/pages/en/');
  });

  it('write no text of their own (only catalogue words, Shibboleth\'s values and the branding)', () => {
    const mark = new RegExp(`${MARK_OPEN}[^${MARK_OPEN}${MARK_CLOSE}]*${MARK_CLOSE}`, 'g');
    for (const html of [...SP_ERROR_PAGES.map((p) => renderSpErrorPage(p, 'en', keyCatalogue())), renderSpLogoutPage(keyCatalogue())]) {
      let text = visibleText(html.replace(/<\/?shibmlp[^>]*>|<\/?shibmlpif[^>]*>/g, ' ')).replace(/\$\{SAML2JWT_[A-Z_]+\}/g, ' ');
      for (let before = ''; before !== text; ) [before, text] = [text, text.replace(mark, ' ')];
      expect(text.trim()).to.equal('');
    }
  });

  it('saml2jwt-render-pages fills in the default look: no placeholder left, no logo, no support', () => {
    const { status, stderr, dir } = renderPages({});
    try {
      expect(status, stderr).to.equal(0);
      const html = readFileSync(path.join(dir, 'pages/de/sessionError.html'), 'utf8');
      expect(html).to.not.include('${');
      expect(html).to.include('<span class="brand">Jitsi Meet</span>').and.include('--brand:#246fe5;--on-brand:#ffffff');
      expect(html).to.include("img-src 'none';").and.not.include('<img').and.not.include('class="support"');
      expect(html).to.include('<a class="button primary" href="https://meet.example.org/" rel="noreferrer">Zur Startseite von Jitsi Meet</a>');
      expect(html).to.include('<code><shibmlp errorType/>: <shibmlp errorText/></code>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saml2jwt-render-pages applies the branding as the sidecar reads it', () => {
    const env = { BRAND_NAME: 'Uni <&> "Video"', BRAND_COLOR: '#FC0', BRAND_LOGO_URL: '/images/logo.svg?v=1', SUPPORT_URL: 'https://help.uni.example/a?b=1&c=2', SUPPORT_EMAIL: 'help@uni.example' };
    const { branding } = readBranding(env, new URL('https://meet.example.org'));
    const { status, stderr, dir } = renderPages(env);
    try {
      expect(status, stderr).to.equal(0);
      const html = readFileSync(path.join(dir, 'pages/fr/metadataError.html'), 'utf8');
      expect(html).to.include('<span class="brand">Uni &lt;&amp;&gt; &quot;Video&quot;</span>');
      expect(html).to.include(`--brand:${branding.color};--on-brand:${textColorOn(branding.color)}`);
      expect(html).to.include(`<img class="logo" src="${branding.logoUrl}" alt="">`);
      expect(html).to.include("img-src https://meet.example.org/images/logo.svg;");
      expect(html).to.include('<a href="https://help.uni.example/a?b=1&amp;c=2" rel="noreferrer">');
      expect(html).to.include('<a href="mailto:help@uni.example">');
      expect(readFileSync(path.join(dir, 'pages/logout.html'), 'utf8')).to.include('<meta http-equiv="refresh" content="0;url=/saml2jwt/loggedOut">');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saml2jwt-render-pages picks the button text colour as the sidecar does', () => {
    for (const color of ['#246fe5', '#ffcc00', '#777777', '#767676', '#000000', '#ffffff', '#7a1f5c', '#00ff00']) {
      const { dir } = renderPages({ BRAND_COLOR: color });
      try {
        expect(readFileSync(path.join(dir, 'pages/en/sslError.html'), 'utf8'), color).to.include(`--on-brand:${textColorOn(color)}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  // The sidecar's refusals (test/unit/config/branding.test.ts), with the same words.
  for (const [variable, value] of BAD_BRANDING) {
    it(`saml2jwt-render-pages refuses ${variable}=${JSON.stringify(value)} in the sidecar's words`, () => {
      const { problems } = readBranding({ [variable]: value }, new URL('https://meet.example.org'));
      const { status, stderr, dir } = renderPages({ [variable]: value });
      rmSync(dir, { recursive: true, force: true });
      expect(status).to.equal(2);
      expect(stderr.trim().split('\n')).to.deep.equal(problems.map((p) => `saml2jwt-render-pages: ${p}`));
    });
  }

  it('a long name in accents counts characters, as the sidecar does', () => {
    const name = 'é'.repeat(60);
    expect(readBranding({ BRAND_NAME: name }, undefined).problems).to.deep.equal([]);
    const { status, stderr, dir } = renderPages({ BRAND_NAME: name });
    rmSync(dir, { recursive: true, force: true });
    expect(status, stderr).to.equal(0);
  });
});
