// What a browser asks for on /redirectWithToken (and its escape page): which meeting, for how
// long, and what to carry back. Parsed once, validated completely, and re-serialised from the
// parsed values only (never from the raw query).
import { Refusal } from '../refusal';
import { tenantName } from './jitsi-names';
import { parseJitsiState, type Override } from './jitsi-state';
import { loginClient, parseNonce, type LoginClient } from './login-client';
import type { MeetingHash } from './meeting-url';
import { parseRoom, type Room } from './room';

export interface MeetingRequest {
  /** Parsed once; every step decides on this value (room.ts). */
  room: Room;
  tenant?: string;
  /** validity_timestamp: absolute exp in seconds. */
  requestedExp?: number;
  /** jitsi_meet_external_api_id: digits only. */
  externalApiId?: string;
  overrides: Override[];
  /** Who asked (state's app markers, the popup's nonce): decides how the token is delivered. */
  client: LoginClient;
}

const INTEGER = /^-?[0-9]{1,15}$/;
const DIGITS = /^[0-9]{1,15}$/;

/** A TOKEN_AUTH_URL placeholder the client did not substitute counts as absent. */
function given(value: string | undefined, placeholder: string): string | undefined {
  return value === undefined || value === '' || value === placeholder ? undefined : value;
}

export function parseValidityTimestamp(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!INTEGER.test(raw)) {
    throw new Refusal('bad_input', 'invalid_validity_timestamp', 'validity_timestamp must be an integer (seconds since 1970).');
  }
  return Number(raw);
}

/** Request parameters by name, one value each (the http layer decides how they were sent). */
export type Params = Record<string, string>;

export function parseMeetingRequest(params: Params): MeetingRequest {
  const stateRaw = given(params.state, '{state}');
  const state = stateRaw === undefined ? undefined : parseJitsiState(stateRaw);

  const room = given(state?.room, '{room}') ?? given(params.room, '{room}');
  if (room === undefined) throw new Refusal('bad_input', 'missing_room', 'No room was given.');
  const tenantRaw = state && state.tenant !== undefined ? state.tenant : params.tenant;

  const client = loginClient(state?.apps ?? [], parseNonce(params.nonce));
  const request: MeetingRequest = { room: parseRoom(room), overrides: state?.overrides ?? [], client };
  // The client computed roomSafe itself; if it names another MUC room than the room it sent,
  // one of the two was tampered with or mangled, and a token would open neither cleanly.
  if (state?.roomSafe !== undefined && state.roomSafe !== request.room.backendSafe) {
    throw new Refusal('bad_input', 'room_mismatch', 'The room in state does not match its safe form (roomSafe).');
  }
  if (tenantRaw !== undefined && tenantRaw !== '') request.tenant = tenantName(tenantRaw);
  const exp = parseValidityTimestamp(params.validity_timestamp);
  if (exp !== undefined) request.requestedExp = exp;
  const apiId = params.jitsi_meet_external_api_id;
  if (apiId !== undefined && apiId !== '') {
    if (!DIGITS.test(apiId)) {
      throw new Refusal('bad_input', 'invalid_external_api_id', 'jitsi_meet_external_api_id must be a number.');
    }
    request.externalApiId = apiId;
  }
  return request;
}

/** What travels back in the meeting URL's hash: the external API id and the harmless overrides. */
export function meetingHash(request: MeetingRequest): MeetingHash {
  const hash: MeetingHash = { overrides: request.overrides };
  if (request.externalApiId !== undefined) hash.externalApiId = request.externalApiId;
  return hash;
}

/** The request as a query string again (for the escape page), built from parsed values only. */
export function meetingRequestQuery(request: MeetingRequest): string {
  const query = new URLSearchParams();
  query.set('room', request.room.given);
  if (request.tenant !== undefined) query.set('tenant', request.tenant);
  const { client } = request;
  if (request.overrides.length > 0 || client.kind === 'app') {
    const state: Record<string, unknown> = { room: request.room.given, tenant: request.tenant ?? '' };
    for (const [key, value] of request.overrides) state[key] = value;
    if (client.kind === 'app') state[client.app] = true;
    query.set('state', JSON.stringify(state));
  }
  if (client.kind === 'popup') query.set('nonce', client.nonce);
  if (request.requestedExp !== undefined) query.set('validity_timestamp', String(request.requestedExp));
  if (request.externalApiId !== undefined) query.set('jitsi_meet_external_api_id', request.externalApiId);
  return query.toString();
}
