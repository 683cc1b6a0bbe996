// SP request headers -> Identity. Only our SP may speak for a user: the proxy secret is checked
// before anything else is read.
import type { IncomingHttpHeaders } from 'node:http';
import type { IdentityConfig } from '../config/config';
import { Refusal } from '../refusal';
import { secretMatches } from '../secret-match';
import type { AttributeName } from './attributes';
import { displayNameOf } from './display-name';
import { readHeader } from './header-value';
import type { Identity } from './identity';
import { parseMultiValued } from './multi-value';

// What every request needs from the configuration, worked out once per IdentityConfig rather
// than per request.
interface Prepared {
  secret: Buffer;
  headers: readonly (readonly [AttributeName, string])[];
}
const preparedConfigs = new WeakMap<IdentityConfig, Prepared>();

function prepared(cfg: IdentityConfig): Prepared {
  let known = preparedConfigs.get(cfg);
  if (!known) {
    const headers = Object.entries(cfg.headers) as [AttributeName, string][];
    known = { secret: Buffer.from(cfg.proxySecret, 'utf8'), headers };
    preparedConfigs.set(cfg, known);
  }
  return known;
}

export function isTrustedProxy(headers: IncomingHttpHeaders, cfg: IdentityConfig): boolean {
  const presented = headers[cfg.proxySecretHeader];
  if (typeof presented !== 'string' || presented === '' || cfg.proxySecret === '') return false;
  return secretMatches(presented, prepared(cfg).secret);
}

/** The first value of the first attribute in `order` that arrived. */
function firstPresent(attributes: Partial<Record<AttributeName, string[]>>, order: readonly AttributeName[]): string | undefined {
  for (const name of order) {
    const value = attributes[name]?.[0];
    if (value !== undefined) return value;
  }
  return undefined;
}

export function readIdentity(headers: IncomingHttpHeaders, cfg: IdentityConfig): Identity {
  if (!isTrustedProxy(headers, cfg)) {
    throw new Refusal('untrusted', 'untrusted_proxy', 'The request did not come through the SAML service provider.');
  }
  const attributes: Partial<Record<AttributeName, string[]>> = {};
  for (const [name, header] of prepared(cfg).headers) {
    const raw = readHeader(headers, header);
    if (raw === undefined) continue;
    const values = parseMultiValued(raw);
    if (values.length > 0) attributes[name] = values;
  }
  const idp = attributes.idp?.[0];
  const issuer = attributes.issuer?.[0];
  if (issuer !== undefined) {
    // Signed in with OpenID Connect: mod_auth_openidc checks the ID token against the provider's
    // discovery document, but not that document's issuer against OIDC_ISSUER; so here. An SP
    // session is either SAML or OIDC, never both.
    if (issuer !== cfg.expectedIssuer || idp !== undefined) {
      throw new Refusal('forbidden', 'wrong_issuer', 'You signed in at an identity provider this service does not accept.');
    }
  } else if (cfg.expectedIdp !== undefined && idp !== cfg.expectedIdp) {
    // Defence in depth behind the SP's metadata filter: in direct mode only the configured IdP
    // may speak for users (our SP sets Shib-Identity-Provider for every session).
    throw new Refusal('forbidden', 'wrong_idp', 'You signed in at an identity provider this service does not accept.');
  }
  // A mail is not needed (REFEDS Pseudonymous Access releases none); a policy may require one.
  const userId = firstPresent(attributes, cfg.userIdOrder);
  if (userId === undefined) {
    throw new Refusal('forbidden', 'no_user_id', 'Your identity provider did not release a usable user identifier.');
  }
  const identity: Identity = { userId, name: displayNameOf(attributes, userId), attributes };
  const mail = attributes.mail?.[0];
  if (mail !== undefined) identity.mail = mail;
  if (idp !== undefined) identity.idp = idp;
  if (issuer !== undefined) identity.issuer = issuer;
  const ownerId = firstPresent(attributes, cfg.ownerIdOrder);
  if (ownerId !== undefined) identity.ownerId = ownerId;
  return identity;
}
