// BRAND_NAME, BRAND_LOGO_URL, BRAND_COLOR, SUPPORT_URL, SUPPORT_EMAIL: checked at start, a bad
// value refused naming its variable; the defaults look like Jitsi Meet.
import { expect } from 'chai';
import { contrastRatio, textColorOn } from '../../../sidecar/src/pages/look';
import { BAD_BRANDING } from '../../support/bad-branding';
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
  });

  for (const [variable, value] of BAD_BRANDING) {
    it(`refuses ${variable}=${JSON.stringify(value)}, naming the variable`, () => expectRefused({ [variable]: value }, variable));
  }

  it('button text always reaches 4.5:1 on the brand colour', () => {
    for (const color of ['#246fe5', '#ffcc00', '#777777', '#767676', '#00ff00', '#000000', '#ffffff', '#ff0000', '#0000ff']) {
      expect(contrastRatio(color, textColorOn(color)), color).to.be.at.least(4.5);
    }
  });
});
