// /getToken parameters → TokenRequest. Backend callers are trusted to state the user and the
// role (affiliation, moderator); the room is validated exactly as on the front.
import { BOOLEAN_SPELLINGS, parseBoolean } from '../../config/boolean';
import { Refusal } from '../../refusal';
import type { TokenRequest } from '../../token/claims';
import type { HttpDeps } from '../deps';
import { tenantName } from '../../meeting/jitsi-names';
import { parseRoom } from '../../meeting/room';
import { parseValidityTimestamp } from '../../meeting/meeting-request';
import { readParams, type Params } from '../query';
import { readBodyParams } from '../request-body';
import type { TokenContext, TokenStep } from '../token-endpoint/state';

const MAIL = /^[^\s@<>()",;]{1,64}@[^\s@<>()",;]+\.[^\s@<>()",;.]+$/;
const AFFILIATION = /^[A-Za-z0-9_-]{1,32}$/;

/** The project's one boolean rule (config/boolean.ts), for the backend's `moderator` too. */
function moderatorFlag(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = parseBoolean(raw);
  if (value === undefined) throw new Refusal('bad_input', 'invalid_moderator', `moderator must be ${BOOLEAN_SPELLINGS}.`);
  return value;
}

export function readTokenRequest({ policy }: HttpDeps): TokenStep {
  const fromParams = (ctx: TokenContext, params: Params): void => {
    const mail = params.mail;
    if (mail === undefined || mail.length > 254 || !MAIL.test(mail)) {
      throw new Refusal('bad_input', 'invalid_mail', 'mail must be an e-mail address.');
    }
    if (params.room === undefined || params.room === '') throw new Refusal('bad_input', 'missing_room', 'No room was given.');
    const name = params.name || params.displayName || mail;
    if (name.trim() === '') throw new Refusal('bad_input', 'invalid_name', 'name must not be blank.');

    const tenant = params.tenant === undefined || params.tenant === '' ? undefined : tenantName(params.tenant);
    // Features come from the operator's policy, like for browsers; the role is the caller's to state.
    const identity = { userId: mail, mail, name, attributes: { mail: [mail], displayName: [name] } };
    const request: TokenRequest = {
      user: { id: mail, name, email: mail },
      room: parseRoom(params.room),
      features: policy.decide(identity, tenant).features,
    };
    if (tenant !== undefined) request.tenant = tenant;
    const exp = parseValidityTimestamp(params.validity_timestamp);
    if (exp !== undefined) request.requestedExp = exp;
    if (params.affiliation !== undefined && params.affiliation !== '') {
      if (!AFFILIATION.test(params.affiliation)) throw new Refusal('bad_input', 'invalid_affiliation', 'affiliation is not valid.');
      request.user.affiliation = params.affiliation;
    }
    const moderator = moderatorFlag(params.moderator);
    if (moderator !== undefined) request.user.moderator = moderator;
    ctx.state.tokenRequest = request;
  };
  return async (ctx, next) => {
    fromParams(ctx, ctx.method === 'POST' ? await readBodyParams(ctx) : readParams(ctx.querystring));
    await next();
  };
}
