import { expect } from 'chai';
import { refusalOf } from '../../support/refusal';
import { statusOfRefusal } from '../../../sidecar/src/refusal';
import type { IncomingHttpHeaders } from 'node:http';
import { isTrustedProxy, readIdentity } from '../../../sidecar/src/identity/read-identity';
import { TEST_PROXY_SECRET, testConfig } from '../../support/config-fixture';

const cfg = testConfig().identity;
const trusted = (headers: IncomingHttpHeaders): IncomingHttpHeaders => ({ 'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET, ...headers });


describe('identity/read-identity: isTrustedProxy', () => {
  it('accepts the configured secret', () => expect(isTrustedProxy(trusted({}), cfg)).to.equal(true));
  it('rejects a missing secret', () => expect(isTrustedProxy({}, cfg)).to.equal(false));
  it('rejects an empty secret', () => expect(isTrustedProxy({ 'x-saml2jwt-proxy-secret': '' }, cfg)).to.equal(false));
  it('rejects a wrong secret of the same length', () => {
    const wrong = TEST_PROXY_SECRET.slice(0, -1) + (TEST_PROXY_SECRET.endsWith('0') ? '1' : '0');
    expect(isTrustedProxy({ 'x-saml2jwt-proxy-secret': wrong }, cfg)).to.equal(false);
  });
  it('rejects a prefix of the secret (short)', () => {
    expect(isTrustedProxy({ 'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET.slice(0, 16) }, cfg)).to.equal(false);
  });
  it('rejects the secret with extra characters (long)', () => {
    expect(isTrustedProxy({ 'x-saml2jwt-proxy-secret': `${TEST_PROXY_SECRET}x` }, cfg)).to.equal(false);
  });
  it('rejects a repeated secret header (array)', () => {
    expect(isTrustedProxy({ 'x-saml2jwt-proxy-secret': [TEST_PROXY_SECRET, TEST_PROXY_SECRET] } as unknown as IncomingHttpHeaders, cfg)).to.equal(false);
  });
});

describe('identity/read-identity: readIdentity', () => {
  it('checks the proxy secret before anything else', () => {
    const r = refusalOf(() => readIdentity({ mail: 'a@uni.example' }, cfg));
    expect([r.kind, r.reason]).to.deep.equal(['untrusted', 'untrusted_proxy']);
    const noMail = refusalOf(() => readIdentity({}, cfg));
    expect(noMail.reason, 'an untrusted request without mail is still untrusted').to.equal('untrusted_proxy');
  });

  it('reads mail, name, attributes and the IdP', () => {
    const id = readIdentity(
      trusted({
        mail: 'alice@uni.example',
        displayname: 'Alice Example',
        eppn: 'alice@uni.example',
        affiliation: 'staff@uni.example;member@uni.example',
        'shib-identity-provider': 'https://idp.uni.example/idp/shibboleth',
      }),
      cfg,
    );
    expect(id).to.deep.equal({
      userId: 'alice@uni.example',
      mail: 'alice@uni.example',
      name: 'Alice Example',
      idp: 'https://idp.uni.example/idp/shibboleth',
      ownerId: 'alice@uni.example', // eppn: the first scoped id present
      attributes: {
        mail: ['alice@uni.example'],
        displayName: ['Alice Example'],
        eppn: ['alice@uni.example'],
        affiliation: ['staff@uni.example', 'member@uni.example'],
        idp: ['https://idp.uni.example/idp/shibboleth'],
      },
    });
  });

  it('takes the first value of a multi-valued mail', () => {
    expect(readIdentity(trusted({ mail: 'first@uni.example;second@uni.example' }), cfg).mail).to.equal('first@uni.example');
  });

  it('name: displayName, else "givenName sn", else the mail\'s local part', () => {
    expect(readIdentity(trusted({ mail: 'bob@uni.example', givenname: 'Bob', sn: 'Builder', displayname: 'Bob B.' }), cfg).name).to.equal('Bob B.');
    expect(readIdentity(trusted({ mail: 'bob@uni.example', givenname: 'Bob', sn: 'Builder' }), cfg).name).to.equal('Bob Builder');
    expect(readIdentity(trusted({ mail: 'bob@uni.example', sn: 'Builder' }), cfg).name).to.equal('Builder');
    expect(readIdentity(trusted({ mail: 'bob@uni.example' }), cfg).name).to.equal('bob');
  });

  it('a pseudonymous user (a scoped id, no mail, no name: REFEDS Pseudonymous Access) is "Guest <hash of the id>", without mail', () => {
    const id = readIdentity(trusted({ 'pairwise-id': 'k3j2h1@uni.example', assurance: 'https://refeds.org/assurance/IAP/medium' }), cfg);
    expect(id.userId).to.equal('k3j2h1@uni.example');
    expect(id.name).to.match(/^Guest [0-9a-f]{6}$/);
    expect(id.name).to.equal(readIdentity(trusted({ 'pairwise-id': 'k3j2h1@uni.example' }), cfg).name); // stable per user
    expect(id.name).not.to.equal(readIdentity(trusted({ 'pairwise-id': 'other@uni.example' }), cfg).name);
    expect(id).not.to.have.property('mail');
    expect(id.attributes.assurance).to.deep.equal(['https://refeds.org/assurance/IAP/medium']);
  });

  it('refuses without any user id (forbidden / no_user_id)', () => {
    const r = refusalOf(() => readIdentity(trusted({ displayname: 'Nobody', mail: ' ; ' }), cfg));
    expect([r.kind, r.reason]).to.deep.equal(['forbidden', 'no_user_id']);
  });

  it('treats a header with control characters as absent', () => {
    const r = refusalOf(() => readIdentity(trusted({ mail: 'evil@uni.example\u0007' }), cfg));
    expect(r.reason).to.equal('no_user_id'); // mail was the only id
    const id = readIdentity(trusted({ mail: 'a@uni.example', displayname: 'Line\nbreak' }), cfg);
    expect(id.name).to.equal('a');
    expect(id.attributes.displayName).to.equal(undefined);
  });

  it('re-decodes UTF-8 that Node read as latin1', () => {
    const latin1 = Buffer.from('Jürgen Müller-Øst', 'utf8').toString('latin1');
    expect(readIdentity(trusted({ mail: 'j@uni.example', displayname: latin1 }), cfg).name).to.equal('Jürgen Müller-Øst');
  });

  it('keeps a latin1 value that is not valid UTF-8', () => {
    expect(readIdentity(trusted({ mail: 'j@uni.example', displayname: 'J\u00fcrgen' }), cfg).name).to.equal('J\u00fcrgen');
  });

  describe('user id order', () => {
    const all = { mail: 'm@uni.example', 'pairwise-id': 'pw@uni.example', 'subject-id': 'sid@uni.example', eppn: 'e@uni.example', 'persistent-id': 'pid' };
    const without = (...names: string[]) => Object.fromEntries(Object.entries(all).filter(([k]) => !names.includes(k)));

    it('pairwise-id first', () => expect(readIdentity(trusted(all), cfg).userId).to.equal('pw@uni.example'));
    it('then subject-id', () => expect(readIdentity(trusted(without('pairwise-id')), cfg).userId).to.equal('sid@uni.example'));
    it('then eppn', () => expect(readIdentity(trusted(without('pairwise-id', 'subject-id')), cfg).userId).to.equal('e@uni.example'));
    it('then persistent-id', () => expect(readIdentity(trusted(without('pairwise-id', 'subject-id', 'eppn')), cfg).userId).to.equal('pid'));
    it('then mail', () =>
      expect(readIdentity(trusted(without('pairwise-id', 'subject-id', 'eppn', 'persistent-id')), cfg).userId).to.equal('m@uni.example'));

    it('follows USER_ID_ATTRIBUTES', () => {
      const custom = testConfig({ USER_ID_ATTRIBUTES: 'persistent-id,eppn' }).identity;
      expect(readIdentity(trusted(all), custom).userId).to.equal('pid');
    });

    it('refuses when no attribute of the order is present (forbidden / no_user_id)', () => {
      const custom = testConfig({ USER_ID_ATTRIBUTES: 'pairwise-id,subject-id' }).identity;
      const r = refusalOf(() => readIdentity(trusted({ mail: 'm@uni.example', eppn: 'e@uni.example' }), custom));
      expect([r.kind, r.reason]).to.deep.equal(['forbidden', 'no_user_id']);
    });
  });

  it('reads attributes from configured header names (among those our SP sets)', () => {
    const custom = testConfig({ ATTR_HEADER_MAIL: 'displayname', ATTR_HEADER_DISPLAY_NAME: 'mail' }).identity;
    const id = readIdentity(trusted({ displayname: 'c@uni.example', mail: 'Carol' }), custom);
    expect([id.mail, id.name]).to.deep.equal(['c@uni.example', 'Carol']);
  });

  it('keys private-room ownership to the first scoped id of PRIVATE_ROOM_OWNER_ATTRIBUTES, never the mail', () => {
    const byDefault = readIdentity(trusted({ mail: 'a@uni.example', eppn: 'e@uni.example', 'subject-id': 's@uni.example' }), cfg);
    expect(byDefault.ownerId).to.equal('s@uni.example');
    expect(readIdentity(trusted({ mail: 'a@uni.example' }), cfg).ownerId).to.equal(undefined);
    const eppnFirst = testConfig({ PRIVATE_ROOM_OWNER_ATTRIBUTES: 'eppn,subject-id' }).identity;
    expect(readIdentity(trusted({ mail: 'a@uni.example', eppn: 'e@uni.example', 'subject-id': 's@uni.example' }), eppnFirst).ownerId).to.equal('e@uni.example');
  });
});

describe('identity/read-identity: only the configured IdP (direct mode)', () => {
  const IDP = 'https://idp.uni.example/idp/shibboleth';
  const direct = testConfig({ SSO_URL: IDP }).identity;
  const alice = { mail: 'alice@uni.example', eppn: 'alice@uni.example' };

  it('accepts a user of the configured IdP', () => {
    const id = readIdentity(trusted({ ...alice, 'shib-identity-provider': IDP }), direct);
    expect([id.userId, id.idp]).to.deep.equal(['alice@uni.example', IDP]);
  });

  it('refuses a user of another IdP with wrong_idp (403), before looking at the attributes', () => {
    const r = refusalOf(() => readIdentity(trusted({ ...alice, 'shib-identity-provider': 'https://other.example/idp' }), direct));
    expect([r.kind, r.reason]).to.deep.equal(['forbidden', 'wrong_idp']);
    expect(statusOfRefusal[r.kind]).to.equal(403);
    const noMail = refusalOf(() => readIdentity(trusted({ 'shib-identity-provider': 'https://other.example/idp' }), direct));
    expect(noMail.reason).to.equal('wrong_idp');
  });

  it('refuses when the SP named no IdP at all, or one that differs only in case or a trailing slash', () => {
    for (const idp of [undefined, IDP.toUpperCase(), `${IDP}/`]) {
      const headers = idp === undefined ? trusted(alice) : trusted({ ...alice, 'shib-identity-provider': idp });
      expect(refusalOf(() => readIdentity(headers, direct)).reason, String(idp)).to.equal('wrong_idp');
    }
  });

  it('still checks the proxy secret first', () => {
    expect(refusalOf(() => readIdentity({ ...alice, 'shib-identity-provider': 'https://other.example/idp' }, direct)).reason).to.equal('untrusted_proxy');
  });

  it('checks nothing when no IdP is configured (discovery and federation: the policy may use idp rules)', () => {
    const id = readIdentity(trusted({ ...alice, 'shib-identity-provider': 'https://other.example/idp' }), cfg);
    expect(id.idp).to.equal('https://other.example/idp');
  });
});

describe('identity/read-identity: OpenID Connect users (OIDC_ISSUER)', () => {
  const ISSUER = 'https://login.uni.example/realms/staff';
  const IDP = 'https://idp.uni.example/idp/shibboleth';
  const oidc = testConfig({ OIDC_ISSUER: ISSUER }).identity;
  const bob = { 'oidc-sub': `b0b@${ISSUER}`, 'oidc-issuer': ISSUER, mail: 'bob@uni.example', 'oidc-groups': 'staff;it' };

  it('takes the issuer-scoped sub as the user id and owner, and the issuer and groups for the policy', () => {
    const id = readIdentity(trusted(bob), oidc);
    expect([id.userId, id.ownerId, id.issuer, id.idp]).to.deep.equal([`b0b@${ISSUER}`, `b0b@${ISSUER}`, ISSUER, undefined]);
    expect(id.attributes.groups).to.deep.equal(['staff', 'it']);
  });

  it('refuses an ID token of another issuer, or any when OIDC_ISSUER is not set, with wrong_issuer (403)', () => {
    for (const [issuer, config] of [[`${ISSUER}/`, oidc], ['https://evil.example', oidc], [ISSUER, cfg]] as const) {
      const r = refusalOf(() => readIdentity(trusted({ ...bob, 'oidc-issuer': issuer }), config));
      expect([r.kind, r.reason, statusOfRefusal[r.kind]], issuer).to.deep.equal(['forbidden', 'wrong_issuer', 403]);
    }
  });

  it('refuses a request that names both an IdP and an issuer (our SP never sets both)', () => {
    expect(refusalOf(() => readIdentity(trusted({ ...bob, 'shib-identity-provider': IDP }), oidc)).reason).to.equal('wrong_issuer');
  });

  it('with SAML in direct mode beside it: each login is held to its own provider', () => {
    const both = testConfig({ OIDC_ISSUER: ISSUER, SSO_URL: IDP }).identity;
    expect(readIdentity(trusted(bob), both).userId).to.equal(`b0b@${ISSUER}`);
    expect(readIdentity(trusted({ eppn: 'a@uni.example', 'shib-identity-provider': IDP }), both).userId).to.equal('a@uni.example');
    expect(refusalOf(() => readIdentity(trusted({ eppn: 'a@uni.example' }), both)).reason).to.equal('wrong_idp');
  });
});
