import type { AttributeName } from './attributes';

/** A signed-in user as our SP vouched for them. Every value is a non-empty string. */
export interface Identity {
  /** context.user.id: first present of the configured order (pairwise-id, subject-id, eppn, persistent-id, mail). */
  userId: string;
  /** First value of the (possibly multi-valued) mail attribute, when the IdP released one. */
  mail?: string;
  /** The name to show: displayName, "givenName sn", the mail's local part or "Guest <hash>" (display-name.ts). */
  name: string;
  /** Every attribute that arrived, each split into its values (`;` separated, `\;` escaped). */
  attributes: Partial<Record<AttributeName, string[]>>;
  /** Shib-Identity-Provider entity id, when present. */
  idp?: string;
  /** The OpenID Connect issuer (the ID token's iss) when the user signed in with OIDC. */
  issuer?: string;
  /** The scoped id that owns private rooms (first present of PRIVATE_ROOM_OWNER_ATTRIBUTES); never mail. */
  ownerId?: string;
}
