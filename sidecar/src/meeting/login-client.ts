// Which Jitsi client asked for the token, and so how it must receive it (JITSI.md "Clients:
// popup, renewal, logout, apps"). Only two things say so: the app markers Jitsi puts into
// `{state}` (`ios`, `android`, `electron`: true) and the `nonce` parameter the web client adds
// when it opened us as an inline popup. Nothing else in a request changes the delivery.
import { Refusal } from '../refusal';

export const APP_MARKERS = ['ios', 'android', 'electron'] as const;
export type AppMarker = (typeof APP_MARKERS)[number];

export type LoginClient =
  /** A full-page redirect (the web client's default, and anything without a marker). */
  | { kind: 'browser' }
  /** The web client's inline popup (config.tokenAuthInline): it waits for a postMessage. */
  | { kind: 'popup'; nonce: string }
  /** A mobile or desktop app that opened the login in the system browser. */
  | { kind: 'app'; app: AppMarker };

/** jitsi-meet's generateNonce(): 32 random bytes as lower-case hex (actions.web.ts). */
const NONCE = /^[0-9a-f]{64}$/;

export const isNonce = (raw: string | undefined): boolean => raw !== undefined && NONCE.test(raw);

/** The `nonce` parameter: undefined when absent or empty, refused when it is not 64 hex digits. */
export function parseNonce(raw: string | undefined): string | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!isNonce(raw)) throw new Refusal('bad_input', 'invalid_nonce', 'The nonce parameter must be 64 hexadecimal digits.');
  return raw;
}

/**
 * The client from its markers. Real clients set at most one: the apps never open a popup, and
 * the web client opens none in Electron. A request that claims two is refused rather than guessed.
 */
export function loginClient(markers: readonly AppMarker[], nonce: string | undefined): LoginClient {
  const claims = markers.length + (nonce === undefined ? 0 : 1);
  if (claims > 1) {
    throw new Refusal('bad_input', 'conflicting_client', 'The request names more than one kind of Jitsi client (app markers or nonce).');
  }
  if (nonce !== undefined) return { kind: 'popup', nonce };
  const [app] = markers;
  return app === undefined ? { kind: 'browser' } : { kind: 'app', app };
}
