// Where browsers and IdPs reach the SP: PUBLIC_URL in path mode, https://SERVER_NAME in host mode
// (saml2jwt-render's rule). Setup, doctor and `keys sp-rollover` build the SP's URLs on it.
import type { JitsiCheckout } from './jitsi-checkout';

export function siteBase(mode: string | undefined, serverName: string | undefined, publicUrl: string | undefined): string | undefined {
  if (mode === 'host') return serverName ? `https://${serverName}` : undefined;
  return publicUrl?.replace(/\/+$/, '');
}

/** The site base as a checkout's .env gives it, or undefined when the .env does not say. */
export function siteBaseOf(checkout: JitsiCheckout): string | undefined {
  const env = (key: string): string | undefined => checkout.env.expanded(key) || undefined;
  return siteBase(env('SAML2JWT_MODE'), env('SERVER_NAME'), env('PUBLIC_URL'));
}
