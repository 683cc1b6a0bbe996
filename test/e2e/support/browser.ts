// Chromium (Debian's) driven by playwright-core. *.example.test resolves to 127.0.0.1 inside the
// browser only, so the public site and the IdP keep their production-like names.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { clientBackendSafeRoomName } from '../../support/jitsi-client';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
      '--host-resolver-rules=MAP *.example.test 127.0.0.1',
    ],
  });
}

export function newContext(browser: Browser, extraHTTPHeaders?: Record<string, string>): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, extraHTTPHeaders });
}

/** Fills the SimpleSAMLphp login form the browser is on (or about to be on). */
export async function submitIdpLogin(page: Page, user: string, password: string): Promise<void> {
  await page.waitForSelector('#username', { timeout: 15000 });
  await page.fill('#username', user);
  await page.fill('#password', password);
  await page.click('#submit_button');
}

/** What Jitsi's client puts into TOKEN_AUTH_URL's {state} for a room (see JITSI.md). */
export function jitsiState(room: string, tenant: string): string {
  const state = {
    room,
    roomSafe: clientBackendSafeRoomName(room),
    tenant,
    'config.prejoinConfig.enabled': false,
    'config.startWithAudioMuted': true,
  };
  return encodeURIComponent(JSON.stringify(state));
}

/** TOKEN_AUTH_URL (path mode) expanded the way the client does: {room} raw, {state} encoded. */
export function tokenAuthUrl(publicUrl: string, room: string, tenant: string): string {
  return `${publicUrl}/saml2jwt/redirectWithToken?room=${room}&state=${jitsiState(room, tenant)}`;
}

/**
 * page.goto, again when Chromium reports ERR_NETWORK_CHANGED: Docker adding or removing a veth on
 * this host (any container, other test runs included) makes Chromium abort a navigation. That is
 * the test machine's network, not a failure of ours, so callers do not count it as a user's reload.
 */
export async function gotoPastHostNetworkChanges(page: Page, url: string, timeout = 30_000): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await page.goto(url, { timeout });
      return;
    } catch (err) {
      if (attempt >= 4 || !String((err as Error).message).includes('ERR_NETWORK_CHANGED')) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
