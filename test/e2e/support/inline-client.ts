// What jitsi-meet's web client does with config.tokenAuthInline (JITSI.md "Web, inline" and
// "Logout"; react/features/authentication/actions.web.ts loginWithPopup / silentLogout), run in
// a real page: a "log in" button opens tokenAuthUrl + '&nonce=<64 hex>' in a popup named
// 'Auth-<ms>' with the nonce in sessionStorage.oauth_nonce, takes oauth-success / oauth-error
// only from its own origin, polls popup.closed every 500 ms; logout loads tokenLogoutUrl in a
// hidden iframe and waits for logout-success from its own origin. Every message the page
// receives, from any origin, is recorded too.
import type { Page } from 'playwright-core';

export type LoginOutcome = { token: string } | { error: string } | { cancelled: true };

export interface RecordedMessage {
  origin: string;
  data: unknown;
}

// Plain JavaScript, as the page runs it (passed as source: a compiled TypeScript function could
// carry the test runner's helpers into the page).
const CLIENT = `(function (authUrl) {
  window.__messages = [];
  window.addEventListener('message', function (event) { window.__messages.push({ origin: event.origin, data: event.data }); });
  var button = document.createElement('button');
  button.id = 'login';
  button.textContent = 'log in';
  document.body.appendChild(button);
  button.addEventListener('click', function () {
    var nonce = Array.from(crypto.getRandomValues(new Uint8Array(32)), function (b) { return b.toString(16).padStart(2, '0'); }).join('');
    sessionStorage.setItem('oauth_nonce', nonce);
    window.__login = new Promise(function (resolve) {
      var popup = window.open(authUrl + '&nonce=' + nonce, 'Auth-' + Date.now(), 'width=500,height=600,left=0,top=0');
      if (!popup) { resolve({ error: 'popup blocked' }); return; }
      var poll;
      function cleanup() {
        window.removeEventListener('message', handler);
        clearInterval(poll);
        popup.close();
        sessionStorage.removeItem('oauth_nonce');
      }
      function handler(event) {
        if (event.origin !== window.location.origin) return;
        if (event.data.type === 'oauth-success') { cleanup(); resolve({ token: String(event.data.accessToken) }); }
        else if (event.data.type === 'oauth-error') { cleanup(); resolve({ error: String(event.data.error) }); }
      }
      window.addEventListener('message', handler);
      poll = setInterval(function () { if (popup.closed) { cleanup(); resolve({ cancelled: true }); } }, 500);
    });
  });
})`;

/** Puts the client logic and a "log in" button (#login) into `page`, for `tokenAuthUrl`. */
export async function installInlineClient(page: Page, tokenAuthUrl: string): Promise<void> {
  await page.evaluate(`${CLIENT}(${JSON.stringify(tokenAuthUrl)})`);
}

/** Resolves with the outcome of the last click on #login. */
export function loginOutcome(page: Page): Promise<LoginOutcome> {
  return page.evaluate('window.__login') as Promise<LoginOutcome>;
}

export function receivedMessages(page: Page): Promise<RecordedMessage[]> {
  return page.evaluate('window.__messages') as Promise<RecordedMessage[]>;
}

const SILENT_LOGOUT = `(function (url, timeout) {
  return new Promise(function (resolve) {
    var iframe = document.createElement('iframe');
    iframe.style.display = 'none';
    iframe.src = url;
    document.body.appendChild(iframe);
    var timer = setTimeout(function () { resolve('timeout'); }, timeout);
    function handler(event) {
      if (event.origin !== window.location.origin) return;
      if (event.data.type === 'logout-success') {
        window.removeEventListener('message', handler);
        clearTimeout(timer);
        document.body.removeChild(iframe);
        resolve('logout-success');
      }
    }
    window.addEventListener('message', handler);
  });
})`;

/** Jitsi's silentLogout: a hidden iframe on tokenLogoutUrl; resolves on logout-success from its own origin. */
export function silentLogout(page: Page, tokenLogoutUrl: string, timeoutMs: number): Promise<'logout-success' | 'timeout'> {
  return page.evaluate(`${SILENT_LOGOUT}(${JSON.stringify(tokenLogoutUrl)}, ${timeoutMs})`) as Promise<'logout-success' | 'timeout'>;
}
