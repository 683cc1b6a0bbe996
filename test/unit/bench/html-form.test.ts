import { expect } from 'chai';
import { decodeCharacterReferences, formBody, readForms } from '../../../bench/chain/html-form';

const page = new URL('https://idp.example.test:9443/simplesaml/module.php/core/loginuserpass.php?AuthState=old');

// The two forms of a SimpleSAMLphp 1.19 login, as the test IdP sends them (shortened).
const LOGIN = `<form action="?" method="post" name="f">
  <input id="username"   type="text" name="username" autocomplete="username" tabindex="1"  value="" />
  <td><input id="password" type="password" tabindex="2" name="password" autocomplete="current-password" /></td>
  <button id="submit_button" class="btn" tabindex="6" type="submit">Login</button>
  <input type="hidden" id="processing_trans" value="Processing..." />
  <input type="hidden" name="AuthState" value="_e15d:https://idp.example.test:9443/simplesaml/saml2/idp/SSOService.php?spentityid=https%3A%2F%2Fmeet&amp;RelayState=ss%3Amem%3A7d&amp;cookieTime=1796527425" />
</form>`;
const POST = `<body onload="document.getElementsByTagName('input')[0].click();">
<form method='post' action='https://meet.example.test:8443/saml2jwt/Shibboleth.sso/SAML2/POST'>
<input type=hidden name=SAMLResponse value="PHNhbWxwOlJlc3BvbnNlIC8+">
<input type="hidden" name="RelayState" value='ss:mem:7df4&#x2F;&#39;x&#039;' />
<noscript><input type="submit" value="Submit" /></noscript>
</form></body>`;

describe('bench/chain/html-form: the forms of a SAML login page', () => {
  it('reads the login form: relative action resolved against the page, hidden AuthState decoded, buttons left out', () => {
    const [form] = readForms(LOGIN, page);
    expect(form?.method).to.equal('POST');
    expect(form?.action.href).to.equal('https://idp.example.test:9443/simplesaml/module.php/core/loginuserpass.php?');
    expect(form?.fields).to.deep.equal([
      ['username', ''],
      ['password', ''],
      ['AuthState', '_e15d:https://idp.example.test:9443/simplesaml/saml2/idp/SSOService.php?spentityid=https%3A%2F%2Fmeet&RelayState=ss%3Amem%3A7d&cookieTime=1796527425'],
    ]);
  });

  it('reads the self-posting SAMLResponse form with any quoting, and fills the login in place', () => {
    const [form] = readForms(POST, page);
    expect(form?.action.href).to.equal('https://meet.example.test:8443/saml2jwt/Shibboleth.sso/SAML2/POST');
    expect(form?.fields).to.deep.equal([
      ['SAMLResponse', 'PHNhbWxwOlJlc3BvbnNlIC8+'],
      ['RelayState', "ss:mem:7df4/'x'"],
    ]);
    expect(formBody(form!)).to.equal('SAMLResponse=PHNhbWxwOlJlc3BvbnNlIC8%2B&RelayState=ss%3Amem%3A7df4%2F%27x%27');
    const [login] = readForms(LOGIN, page);
    const body = new URLSearchParams(formBody(login!, { username: 'alice', password: 'p&ss=1' }));
    expect([...body]).to.deep.equal([
      ['username', 'alice'],
      ['password', 'p&ss=1'],
      ['AuthState', login!.fields[2]![1]],
    ]);
  });

  it('a form without action posts to the page itself; GET is the default method; unchecked boxes and disabled fields stay out', () => {
    const [form] = readForms(`<FORM><input name=a value=1><input type=checkbox name=b><input type=checkbox name=c checked><input name=d disabled value=x><textarea name=t>x &lt; y</textarea></FORM>`, page);
    expect(form?.action.href).to.equal(page.href);
    expect(form?.method).to.equal('GET');
    expect(form?.fields).to.deep.equal([
      ['a', '1'],
      ['c', 'on'],
      ['t', 'x < y'],
    ]);
    expect(readForms('<p>no form here</p>', page)).to.deep.equal([]);
  });

  it('decodes named, decimal and hex character references, and leaves unknown ones as they are', () => {
    expect(decodeCharacterReferences('&amp;&lt;&gt;&quot;&apos;&#39;&#x2F;&#X41;&#233;&bogus;&#0;')).to.equal(`&<>"''/Aé&bogus;&#0;`);
  });
});
