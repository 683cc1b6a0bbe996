import { expect } from 'chai';
import { CookieJar } from '../../../bench/chain/cookie-jar';

const sp = (path: string): URL => new URL(`https://meet.example.test:8443${path}`);
const idp = (path: string): URL => new URL(`https://idp.example.test:9443${path}`);

describe('bench/chain/cookie-jar: the cookies of a SAML login', () => {
  it('sends a cookie back to the host that set it, not to the other host', () => {
    const jar = new CookieJar();
    jar.store(sp('/saml2jwt/Shibboleth.sso/SAML2/POST'), ['_shibsession_abc=_123; path=/saml2jwt; secure; HttpOnly']);
    expect(jar.header(sp('/saml2jwt/redirectWithToken'))).to.equal('_shibsession_abc=_123');
    expect(jar.header(idp('/saml2jwt/redirectWithToken'))).to.equal(undefined);
    expect(jar.header(new URL('http://meet.example.test/saml2jwt/x'))).to.equal('_shibsession_abc=_123'); // cookies are not per port
  });

  it('matches paths as RFC 6265 does: /saml2jwt covers /saml2jwt/x but not /saml2jwtx', () => {
    const jar = new CookieJar();
    jar.store(sp('/'), ['a=1; Path=/saml2jwt']);
    expect(jar.header(sp('/saml2jwt'))).to.equal('a=1');
    expect(jar.header(sp('/saml2jwt/redirectWithToken'))).to.equal('a=1');
    expect(jar.header(sp('/saml2jwtx'))).to.equal(undefined);
    expect(jar.header(sp('/'))).to.equal(undefined);
  });

  it('without Path, the cookie belongs to the directory of the request path', () => {
    const jar = new CookieJar();
    jar.store(idp('/simplesaml/module.php/core/loginuserpass.php'), ['PHPSESSID=s1']);
    expect(jar.header(idp('/simplesaml/module.php/core/x'))).to.equal('PHPSESSID=s1');
    expect(jar.header(idp('/simplesaml/saml2/idp/SSOService.php'))).to.equal(undefined);
    jar.store(idp('/top'), ['root=1']);
    expect(jar.header(idp('/anything'))).to.equal('root=1');
  });

  it('replaces a cookie of the same name and path, keeps one of another path, longer paths first', () => {
    const jar = new CookieJar();
    jar.store(sp('/'), ['s=1; path=/', 's=2; path=/saml2jwt']);
    jar.store(sp('/'), ['s=3; path=/']);
    expect(jar.header(sp('/saml2jwt/a'))).to.equal('s=2; s=3');
  });

  it('an expiry in the past removes the cookie (Max-Age before Expires), one in the future keeps it', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const jar = new CookieJar();
    jar.store(sp('/'), ['_shibstate_1=x; path=/', 'b=y; path=/', 'c=z; path=/', 'd=w; path=/'], now);
    jar.store(sp('/'), ['_shibstate_1=; path=/; expires=Mon, 01 Jan 2001 00:00:00 GMT'], now);
    jar.store(sp('/'), ['b=; path=/; Max-Age=0'], now);
    jar.store(sp('/'), ['c=z2; path=/; Max-Age=60; Expires=Mon, 01 Jan 2001 00:00:00 GMT'], now);
    jar.store(sp('/'), ['d=w2; path=/; Expires=Wed, 02 Dec 2026 12:00:00 GMT'], now);
    expect(jar.header(sp('/x'))).to.equal('c=z2; d=w2');
  });

  it('keeps values with "=" whole and ignores a line without a name', () => {
    const jar = new CookieJar();
    jar.store(sp('/'), ['t=a=b==; path=/', '=nameless; path=/', 'garbage']);
    expect(jar.header(sp('/'))).to.equal('t=a=b==');
  });
});
