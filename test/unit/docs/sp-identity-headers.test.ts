// One list for both sides of the trust wiring: the headers the SP's Apache strips from client
// requests and sets itself, and the headers the sidecar believes (ATTR_HEADER_*).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LOCATIONS_CONF, withFreshIdentityHeaders } from '../../../scripts/docs/sp-identity-headers';
import { SP_IDENTITY_HEADERS } from '../../../sidecar/src/identity/attributes';

const conf = readFileSync(path.resolve(__dirname, '../../..', LOCATIONS_CONF), 'utf8');

describe('docs: the SP strips and sets exactly the headers the sidecar believes', () => {
  it('locations.conf is current (run `npm run docs` after editing identity/attributes.ts)', () => {
    expect(withFreshIdentityHeaders(conf)).to.equal(conf);
  });

  it('every attribute header is unset early and set from Shibboleth, and nothing else is set', () => {
    const unset = [...conf.matchAll(/^RequestHeader unset (\S+) early$/gm)].map((m) => (m[1] as string).toLowerCase());
    const set = [...conf.matchAll(/^RequestHeader set (\S+) /gm)].map((m) => (m[1] as string).toLowerCase());
    expect(unset).to.deep.equal([...SP_IDENTITY_HEADERS, 'x-saml2jwt-proxy-secret']);
    expect(set).to.deep.equal(unset);
  });
});
