// Jitsi's `{state}`: encodeURIComponent(JSON.stringify(state)) put into TOKEN_AUTH_URL by the
// web client. It names the room and tenant the user came from, and carries `config.*` /
// `interfaceConfig.*` overrides from the meeting URL's hash. Anyone can forge a state in a
// cross-site link, so we hand back only overrides that cannot hurt the user (HARMLESS_OVERRIDES),
// and skip the pre-join screen only when the state itself asks for it. The app markers (`ios`,
// `android`, `electron`) say how the token must be handed over (login-client.ts).
// `refreshToken` (jitsi-meet 2026 puts it into state when the service issued one) is ignored:
// we issue no refresh tokens; a renewal is a new login that the SP session answers silently.
import { Refusal } from '../refusal';
import { APP_MARKERS, type AppMarker } from './login-client';

/** One hash override to carry back: key as given, value as parsed JSON (re-serialised on output). */
export type Override = readonly [key: string, value: OverrideValue];
export type OverrideValue = string | number | boolean | null;

export interface JitsiState {
  room?: string;
  /** The client's own backend-safe form of `room`: checked against ours, never trusted alone. */
  roomSafe?: string;
  /** '' means "no tenant" (the client sends an empty tenant for root rooms). */
  tenant?: string;
  overrides: Override[];
  /** App markers that are true (`ios`, `android`, `electron`): how the token must be handed over. */
  apps: AppMarker[];
}

const OVERRIDE_KEY = /^(config|interfaceConfig)\.[A-Za-z0-9_.]+$/;
const MAX_OVERRIDES = 32;
const MAX_KEY_LENGTH = 100;
/** Jitsi's client sets it to false when the user already passed its pre-join screen. */
export const PREJOIN_OVERRIDE = 'config.prejoinConfig.enabled';

/**
 * The overrides we carry back, each with the one value that is harmless: they can only make
 * the join quieter (muted, audio only, silent) or hide the subject. Anything else a state
 * carries (camera on, a subject text, UI settings) is dropped.
 */
export const HARMLESS_OVERRIDES: ReadonlyMap<string, OverrideValue> = new Map<string, OverrideValue>([
  ['config.startWithAudioMuted', true],
  ['config.startWithVideoMuted', true],
  ['config.startAudioOnly', true],
  ['config.startSilent', true],
  ['config.hideConferenceSubject', true],
]);

function malformed(message: string): Refusal {
  return new Refusal('bad_input', 'malformed_state', message);
}

export function parseJitsiState(raw: string): JitsiState {
  let value: unknown;
  try {
    // Once-decoded by the query parser it is JSON; a proxy that re-encoded it leaves one more layer.
    value = JSON.parse(raw.startsWith('%7B') || raw.startsWith('%7b') ? decodeURIComponent(raw) : raw);
  } catch {
    throw malformed('The state parameter is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('The state parameter is not a JSON object.');
  }
  const fields = value as Record<string, unknown>;
  const state: JitsiState = { overrides: [], apps: [] };
  if (fields.room !== undefined) {
    if (typeof fields.room !== 'string') throw malformed('state.room is not a string.');
    state.room = fields.room;
  }
  if (fields.roomSafe !== undefined && fields.roomSafe !== null) {
    if (typeof fields.roomSafe !== 'string') throw malformed('state.roomSafe is not a string.');
    state.roomSafe = fields.roomSafe;
  }
  if (fields.tenant !== undefined && fields.tenant !== null) {
    if (typeof fields.tenant !== 'string') throw malformed('state.tenant is not a string.');
    state.tenant = fields.tenant;
  }
  for (const marker of APP_MARKERS) {
    const flag = fields[marker];
    if (flag === undefined || flag === null || flag === false) continue;
    if (flag !== true) throw malformed(`state.${marker} is not true or false.`);
    state.apps.push(marker);
  }
  // The pre-join screen is skipped only when Jitsi's own state says the user has passed it.
  if (fields[PREJOIN_OVERRIDE] === false) state.overrides.push([PREJOIN_OVERRIDE, false]);
  let candidates = 0;
  for (const key of Object.keys(fields)) {
    if (key === PREJOIN_OVERRIDE || key.length > MAX_KEY_LENGTH || !OVERRIDE_KEY.test(key)) continue;
    if (++candidates > MAX_OVERRIDES) throw malformed('state carries too many overrides.');
    if (HARMLESS_OVERRIDES.has(key) && fields[key] === HARMLESS_OVERRIDES.get(key)) state.overrides.push([key, fields[key] as OverrideValue]);
  }
  return state;
}
