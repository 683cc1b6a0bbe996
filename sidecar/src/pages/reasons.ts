// Every reason code the sidecar can answer with, and the way on it offers a person. The words for
// each (what happened, what to do) are in the catalogues under reasons.<code>; docs/reasons.md is
// generated from this table and the English catalogue (`npm run docs`). A test checks that every
// reason thrown anywhere in sidecar/src is here, with its status, and in every language.

/** What a refusal page offers besides the home page and support (both always there). */
export type WayOn = 'retry' | 'switchAccount';

export interface ReasonInfo {
  status: number;
  /** Offered in this order, when the request got far enough to rebuild its link. */
  wayOn: readonly WayOn[];
  /** The refusal's own message is the operator's words (a policy's `reason`): shown as well. */
  showsMessage?: true;
  /** Only the backend API answers with it (JSON), never a browser's page. */
  apiOnly?: true;
}

const link = (): ReasonInfo => ({ status: 400, wayOn: [] });
const api = (status: number): ReasonInfo => ({ status, wayOn: [], apiOnly: true });

export const REASONS = {
  attribute_too_long: { status: 403, wayOn: ['switchAccount'] },
  bad_api_key: api(401),
  bad_request: link(),
  body_too_large: api(400),
  conflicting_client: link(),
  control_character: link(),
  duplicate_parameter: link(),
  internal: { status: 500, wayOn: ['retry'] },
  invalid_affiliation: api(400),
  invalid_external_api_id: link(),
  invalid_mail: api(400),
  invalid_moderator: api(400),
  invalid_name: api(400),
  invalid_nonce: link(),
  invalid_room: link(),
  invalid_tenant: link(),
  invalid_validity_timestamp: link(),
  jicofo_busy: { status: 503, wayOn: ['retry'] },
  jicofo_unreachable: { status: 503, wayOn: ['retry'] },
  malformed_body: api(400),
  malformed_state: link(),
  missing_jwt: api(400),
  missing_room: link(),
  no_room: link(),
  no_signing_key: { status: 503, wayOn: ['retry'] },
  no_user_id: { status: 403, wayOn: ['switchAccount'] },
  parameter_too_long: link(),
  policy_denied: { status: 403, wayOn: ['switchAccount'], showsMessage: true },
  private_room: { status: 403, wayOn: ['retry'] },
  rate_limited: { status: 429, wayOn: ['retry'] },
  room_mismatch: link(),
  too_many_parameters: link(),
  unknown_key: api(404),
  unsupported_body: api(400),
  untrusted_proxy: { status: 401, wayOn: [] },
  validity_beyond_cap: link(),
  validity_in_past: link(),
  validity_invalid: link(),
  wildcard: link(),
  wrong_idp: { status: 403, wayOn: ['switchAccount'] },
  wrong_issuer: { status: 403, wayOn: ['switchAccount'] },
} as const satisfies Record<string, ReasonInfo>;

export type ReasonCode = keyof typeof REASONS;

export function isReasonCode(reason: string): reason is ReasonCode {
  return Object.hasOwn(REASONS, reason);
}
