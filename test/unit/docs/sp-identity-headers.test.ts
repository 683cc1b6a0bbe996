// One list for both sides of the trust wiring: the headers the SP's Apache strips from client
// requests and sets itself, and the headers the sidecar believes (ATTR_HEADER_*).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LOCATIONS_CONF, OIDC_CONF, withFreshIdentityHeaders, withFreshOidcHeaders } from '../../../scripts/docs/sp-identity-headers';
import { OIDC_CLAIMS, SAML_ATTRIBUTES, SP_IDENTITY_HEADERS } from '../../../sidecar/src/identity/attributes';

const conf = readFileSync(path.resolve(__dirname, '../../..', LOCATIONS_CONF), 'utf8');
const oidcConf = readFileSync(path.resolve(__dirname, '../../..', OIDC_CONF), 'utf8');
const setHeaders = (text: string): string[] => [...text.matchAll(/^\s*RequestHeader set (\S+) /gm)].map((m) => (m[1] as string).toLowerCase());
const OIDC_ONLY = ['oidc-sub', 'oidc-issuer', 'oidc-groups', 'oidc-roles'];

describe('docs: the SP strips and sets exactly the headers the sidecar believes', () => {
  it('locations.conf is current (run `npm run docs` after editing identity/attributes.ts)', () => {
    expect(withFreshIdentityHeaders(conf)).to.equal(conf);
  });

  it('every attribute header is unset early, each SAML one set from Shibboleth, and nothing else is set', () => {
    const unset = [...conf.matchAll(/^RequestHeader unset (\S+) early$/gm)].map((m) => (m[1] as string).toLowerCase());
    expect(unset).to.deep.equal([...SP_IDENTITY_HEADERS, 'x-saml2jwt-proxy-secret']);
    expect(unset).to.include.members(OIDC_ONLY);
    expect(setHeaders(conf)).to.deep.equal(unset.filter((h) => !OIDC_ONLY.includes(h)));
  });

  it('oidc.conf is current, and sets exactly the headers of the attributes that have a claim', () => {
    expect(withFreshOidcHeaders(oidcConf)).to.equal(oidcConf);
    const expected = Object.keys(OIDC_CLAIMS).map((name) => SAML_ATTRIBUTES[name as keyof typeof SAML_ATTRIBUTES].header);
    expect(setHeaders(oidcConf)).to.have.members(expected).and.to.include.members(OIDC_ONLY);
    expect(expected.every((h) => SP_IDENTITY_HEADERS.includes(h)), 'each is stripped from client requests').to.equal(true);
  });

  it('oidc.conf scopes sub by the issuer and passes a mail only when the provider verified it', () => {
    expect(oidcConf).to.include(`RequestHeader set oidc-sub "%{OIDC_CLAIM_sub}e@%{OIDC_CLAIM_iss}e" "expr=-n %{env:OIDC_CLAIM_sub} && -n %{env:OIDC_CLAIM_iss}"`);
    expect(oidcConf).to.include(`RequestHeader set mail "%{OIDC_CLAIM_email}e" "expr=-n %{env:OIDC_CLAIM_email} && %{env:OIDC_CLAIM_email_verified} in {'1', 'true'}"`);
  });
});
