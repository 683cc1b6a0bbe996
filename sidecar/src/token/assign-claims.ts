// TokenRequest -> the claims Prosody checks (see /work/shared/JITSI.md "What Prosody checks").
// sub is the tenant, or the XMPP domain (not the public host name) for rooms without a tenant.
// room is the backend-safe name: the MUC node the client joins, not the name as typed.
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config/config';
import { Refusal } from '../refusal';
import type { JitsiClaims, TokenRequest, TokenUser } from './claims';
import { isOwner, roleClaims } from './role';
import { computeExpiry } from './validity';

export function gravatarUrl(mail: string): string {
  const hash = createHash('md5').update(mail.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?d=404&size=200`;
}

// Defence in depth: `*` in room or sub is a token for every room. http/ refuses it earlier too.
function refuseWildcard(what: 'room' | 'tenant', value: string): void {
  if (value.includes('*')) throw new Refusal('bad_input', 'wildcard', `A ${what} name must not contain "*".`);
}

export function buildClaims(req: TokenRequest, cfg: Config, now: number): JitsiClaims {
  const room = req.room.backendSafe;
  if (room === '') throw new Refusal('bad_input', 'no_room', 'A room name is required.');
  refuseWildcard('room', room);
  if (room.includes('%2a')) throw new Refusal('bad_input', 'wildcard', 'A room name must not contain "*".');
  const tenant = req.tenant === undefined || req.tenant === '' ? undefined : req.tenant.toLowerCase();
  if (tenant !== undefined) refuseWildcard('tenant', tenant);

  // Only defined string fields: a null or undefined in context.user breaks Prosody.
  const user: TokenUser = { id: req.user.id, name: req.user.name };
  if (req.user.email !== undefined) {
    user.email = req.user.email;
    if (cfg.avatar === 'gravatar') user.avatar = gravatarUrl(req.user.email);
  }
  // One form of the role for every caller (policy or trusted backend): owner, or no role field.
  Object.assign(user, roleClaims(req.user));
  const owner = isOwner(req.user);
  // Prosody's token_affiliation does not let an owner past an active lobby by itself (JITSI.md
  // "Moderators, the lobby and names"): a moderator's token carries the bypass unless opted out.
  if (req.user.lobby_bypass ?? owner) user.lobby_bypass = true;
  // A visitor cannot moderate: a moderator joins as one.
  if (req.user.role === 'visitor' && !owner) user.role = 'visitor';

  const claims: JitsiClaims = {
    iss: cfg.jwt.appId,
    aud: cfg.jwt.audience,
    sub: tenant ?? cfg.xmppDomain.toLowerCase(),
    room,
    iat: now,
    nbf: now - cfg.validity.notBeforeSkewSeconds,
    jti: randomUUID(),
    context: { user, features: { ...req.features } },
  };
  const exp = computeExpiry(cfg.validity, req.requestedExp, now);
  if (exp !== undefined) claims.exp = exp;
  if (tenant !== undefined) claims.context.tenant = tenant;
  return claims;
}
