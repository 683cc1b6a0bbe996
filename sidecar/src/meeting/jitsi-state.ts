// Jitsi's `{state}`: encodeURIComponent(JSON.stringify(state)) put into TOKEN_AUTH_URL by the
// web client. It names the room and tenant the user came from, and carries `config.*` /
// `interfaceConfig.*` overrides from the meeting URL's hash that we hand back in ours.
import { Refusal } from '../refusal';

/** One hash override to carry back: key as given, value as parsed JSON (re-serialised on output). */
export type Override = readonly [key: string, value: OverrideValue];
export type OverrideValue = string | number | boolean | null;

export interface JitsiState {
  room?: string;
  /** '' means "no tenant" (the client sends an empty tenant for root rooms). */
  tenant?: string;
  overrides: Override[];
}

const OVERRIDE_KEY = /^(config|interfaceConfig)\.[A-Za-z0-9_.]+$/;
const MAX_OVERRIDES = 32;
const MAX_KEY_LENGTH = 100;
/** We always send this one ourselves (the user already passed the pre-join screen). */
export const PREJOIN_OVERRIDE = 'config.prejoinConfig.enabled';

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
  const state: JitsiState = { overrides: [] };
  if (fields.room !== undefined) {
    if (typeof fields.room !== 'string') throw malformed('state.room is not a string.');
    state.room = fields.room;
  }
  if (fields.tenant !== undefined && fields.tenant !== null) {
    if (typeof fields.tenant !== 'string') throw malformed('state.tenant is not a string.');
    state.tenant = fields.tenant;
  }
  for (const key of Object.keys(fields)) {
    if (key === PREJOIN_OVERRIDE || key.length > MAX_KEY_LENGTH || !OVERRIDE_KEY.test(key)) continue;
    const v = fields[key];
    // Only scalars: Jitsi's whitelisted hash keys that matter here are flags and strings.
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') {
      if (state.overrides.length >= MAX_OVERRIDES) throw malformed('state carries too many overrides.');
      state.overrides.push([key, v]);
    }
  }
  return state;
}
