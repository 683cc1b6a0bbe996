// BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR, SUPPORT_URL, SUPPORT_EMAIL: checked at start, a bad
// value refused naming its variable; the defaults look like Jitsi Meet.
import { expect } from 'chai';
import { contrastRatio, textColorOn } from '../../../sidecar/src/pages/look';
import { startProblems, testConfig, testEnv } from '../../support/config-fixture';

function expectRefused(env: Record<string, string>, variable: string): void {
  const problems = startProblems(testEnv(env));
  expect(problems, problems.join('\n')).to.have.length(1);
  expect(problems[0]).to.match(new RegExp(`^${variable} `));
}

describe('config: branding and support', () => {
  it('defaults: Jitsi Meet, its blue, no logo, no support contact', () => {
    expect(testConfig().branding).to.deep.equal({ brandName: 'Jitsi Meet', color: '#246fe5' });
  });

  it('takes what the operator sets; a logo or support path lands on PUBLIC_URL', () => {
    const cfg = testConfig({
      BRAND_NAME: 'Uni Video',
      BRAND_COLOR: '#A0b',
      BRAND_LOGO_URL: '/images/watermark.svg',
      SUPPORT_URL: 'https://help.uni.example/video?topic=login',
      SUPPORT_EMAIL: 'video.help+login@uni.example',
    });
    expect(cfg.branding).to.deep.equal({
      brandName: 'Uni Video',
      color: '#aa00bb',
      logoUrl: 'https://meet.example.org/images/watermark.svg',
      supportUrl: 'https://help.uni.example/video?topic=login',
      supportEmail: 'video.help+login@uni.example',
    });
  });

  it('plain http only on the PUBLIC_URL origin (a developer machine)', () => {
    const cfg = testConfig({ PUBLIC_URL: 'http://localhost:8000', BRAND_LOGO_URL: 'http://localhost:8000/logo.png' });
    expect(cfg.branding.logoUrl).to.equal('http://localhost:8000/logo.png');
    expectRefused({ BRAND_LOGO_URL: 'http://cdn.example.org/logo.png' }, 'BRAND_LOGO_URL');
  });

  const bad: [string, string][] = [
    ['BRAND_NAME', 'x'.repeat(61)],
    ['BRAND_NAME', 'Uni\u0007Video'],
    ['BRAND_COLOR', 'blue'],
    ['BRAND_COLOR', '#12345'],
    ['BRAND_COLOR', '#fff;background:url(x)'],
    ['BRAND_LOGO_URL', 'javascript:alert(1)'],
    ['BRAND_LOGO_URL', 'data:image/png;base64,AAAA'],
    ['BRAND_LOGO_URL', '//cdn.example.org/logo.png'],
    ['BRAND_LOGO_URL', 'https://cdn.example.org/a.png; script-src *'],
    ['BRAND_LOGO_URL', "https://cdn.example.org/a'.png"],
    ['BRAND_LOGO_URL', 'https://user:pw@cdn.example.org/a.png'],
    ['BRAND_LOGO_URL', 'https://*.example.org/a.png'],
    ['BRAND_LOGO_URL', 'logo.png'],
    ['SUPPORT_URL', 'mailto:help@example.org'],
    ['SUPPORT_URL', 'http://help.example.org'],
    ['SUPPORT_EMAIL', 'help'],
    ['SUPPORT_EMAIL', 'help@example.org?bcc=x@evil.example'],
    ['SUPPORT_EMAIL', '"a b"@example.org'],
  ];
  for (const [variable, value] of bad) {
    it(`refuses ${variable}=${JSON.stringify(value)}, naming the variable`, () => expectRefused({ [variable]: value }, variable));
  }

  it('button text always reaches 4.5:1 on the brand colour', () => {
    for (const color of ['#246fe5', '#ffcc00', '#777777', '#767676', '#00ff00', '#000000', '#ffffff', '#ff0000', '#0000ff']) {
      expect(contrastRatio(color, textColorOn(color)), color).to.be.at.least(4.5);
    }
  });
});
